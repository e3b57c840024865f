"""The package's metadata: licences, classifiers, links, and runtime dependencies that the runtime uses."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from tests.conftest import ROOT
from trove_classifiers import classifiers as known_classifiers
from trove_classifiers import deprecated_classifiers

from fmar.publish.documents import DATA_LICENCE

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
REPOSITORY = "https://github.com/fmar-registry/fmar"


def test_the_code_licence_is_declared_with_pep_639_fields_and_its_files_exist() -> None:
    assert PROJECT["license"] == "Apache-2.0"
    files = [path for pattern in PROJECT["license-files"] for path in ROOT.glob(pattern)]
    assert files == [ROOT / "LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    # PEP 639: a licence expression replaces the License :: classifiers.
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]


def test_the_installed_metadata_is_what_pyproject_declares() -> None:
    """The metadata the build backend wrote at install time (scripts/setup.sh installs fmar)."""
    metadata = importlib.metadata.metadata("fmar")
    hint = "the installed metadata is stale: run bash scripts/setup.sh"
    assert metadata["Version"] == PROJECT["version"], hint
    assert metadata["License-Expression"] == "Apache-2.0", hint
    assert metadata.get_all("License-File") == ["LICENSE"], hint
    assert sorted(metadata.get_all("Classifier") or []) == sorted(PROJECT["classifiers"]), hint
    urls = dict(line.split(", ", 1) for line in metadata.get_all("Project-URL") or [])
    assert urls == PROJECT["urls"], hint


def test_the_readme_states_both_licences_as_the_exports_do() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Licences") :]
    assert "Apache-2.0" in section and "(LICENSE)" in section
    assert DATA_LICENCE["name"] in section and DATA_LICENCE["path"] in section


def test_classifiers_are_known_and_say_what_the_brief_requires() -> None:
    classifiers = PROJECT["classifiers"]
    assert classifiers == sorted(classifiers)
    unknown = [c for c in classifiers if c not in known_classifiers]
    assert not unknown, f"not Trove classifiers: {unknown}"
    assert not [c for c in classifiers if c in deprecated_classifiers]
    assert "Operating System :: OS Independent" in classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers
    for prefix in ("Development Status ::", "Intended Audience ::", "Topic ::"):
        assert any(c.startswith(prefix) for c in classifiers), prefix
    assert PROJECT["requires-python"] == ">=3.11"


def test_authors_keywords_and_links() -> None:
    assert PROJECT["authors"] and PROJECT["maintainers"] and len(PROJECT["keywords"]) >= 5
    assert all(set(person) == {"name"} for person in PROJECT["authors"] + PROJECT["maintainers"])
    assert set(PROJECT["urls"]) == {"Homepage", "Documentation", "Source", "Issues", "Changelog"}
    assert all(url.startswith(REPOSITORY) for url in PROJECT["urls"].values())
    # The same repository the hook manifest tells users to name.
    assert f"repo: {REPOSITORY}\n" in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")


def _imported_distributions() -> dict[str, set[str]]:
    """Third-party top-level modules imported anywhere in src/fmar -> their distributions."""
    modules: dict[str, set[str]] = {}
    for path in sorted((ROOT / "src" / "fmar").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "fmar" and top not in sys.stdlib_module_names:
                    modules.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return modules


def test_every_import_is_a_runtime_dependency_and_every_runtime_dependency_is_imported() -> None:
    runtime = [Requirement(spec) for spec in PROJECT["dependencies"]]
    declared = {canonicalize_name(r.name) for r in runtime}
    distributions = importlib.metadata.packages_distributions()
    imported: set[str] = set()
    for module, where in _imported_distributions().items():
        dists = {canonicalize_name(d) for d in distributions.get(module, [])}
        assert dists, f"{module} (imported by {sorted(where)}) is not installed"
        assert dists & declared, f"{module} (imported by {sorted(where)}) comes from {dists}: declare it"
        imported |= dists
    # The theme site/mkdocs.yml names is loaded by mkdocs through its entry point, not imported.
    theme = yaml.safe_load((ROOT / "site" / "mkdocs.yml").read_text(encoding="utf-8"))["theme"]["name"]
    (entry,) = [e for e in importlib.metadata.entry_points(group="mkdocs.themes") if e.name == theme]
    assert entry.dist is not None
    imported.add(canonicalize_name(entry.dist.name))
    unused = sorted(declared - imported)
    assert not unused, f"runtime dependencies no module of src/fmar imports (move them to the dev extra): {unused}"


def test_what_only_tests_and_benchmarks_use_is_a_dev_dependency() -> None:
    runtime = {canonicalize_name(Requirement(spec).name) for spec in PROJECT["dependencies"]}
    dev = {canonicalize_name(Requirement(spec).name) for spec in PROJECT["optional-dependencies"]["dev"]}
    assert {"gitpython", "jsonschema"} <= dev and not {"gitpython", "jsonschema"} & runtime
    assert {"mypy", "types-pyyaml", "import-linter", "trove-classifiers"} <= dev


def test_the_passphrase_support_comes_with_cryptography() -> None:
    """cryptography loads passphrase-protected OpenSSH keys only with bcrypt, which its ssh extra brings."""
    (crypto,) = [Requirement(s) for s in PROJECT["dependencies"] if Requirement(s).name == "cryptography"]
    assert "ssh" in crypto.extras
    requires = importlib.metadata.requires("cryptography") or []
    assert any(re.match(r"bcrypt\b", r) and "extra == 'ssh'" in r for r in requires)


def test_the_constraints_pin_every_dependency() -> None:
    """scripts/lock.sh was run after the last change of pyproject's dependencies."""
    pins = {
        canonicalize_name(line.split("==")[0])
        for line in (ROOT / "requirements" / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    wanted = PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]
    missing = sorted({canonicalize_name(Requirement(s).name) for s in wanted} - pins)
    assert not missing, f"not pinned (run bash scripts/lock.sh): {missing}"
    assert "bcrypt" in pins
