"""Closing a pull request unmerged withdraws its signatures (issue 13, class 9), in real repositories with real keys.

VOLTAFLEX applies in a pull request of its own and closes it without merging. The workflow runs
``fmar withdraw-signatures`` for it and the operator merges the list; from then on fmar check
refuses that signature in anyone's pull request, however it is re-armored, until VOLTAFLEX signs
the record again.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ec
from trust_scenario import BASE_AT, PR_AT, Scenario, key, rel_of

from fmar.cli import cli
from fmar.core.findings import Finding
from fmar.loading.record_file import parse_text
from fmar.signing import wire
from fmar.signing.canonical import canonical_bytes
from fmar.signing.records import iso
from fmar.signing.sshsig import public_key_line
from fmar.trust.gate import check
from fmar.trust.withdrawn import HEADER, WITHDRAWN_PATH, parse, signed_digest
from fmar.writing.writer import dumps

CLOSED = 41  # the number of VOLTAFLEX's pull request, closed unmerged
CLOSED_AT = PR_AT + timedelta(hours=2)
MERGED_AT = PR_AT + timedelta(hours=5)  # the operator merges the list
RESUBMITTED_AT = PR_AT + timedelta(hours=8)
SIGNED_AGAIN_AT = PR_AT + timedelta(days=2)


@pytest.fixture
def repo(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    monkeypatch.chdir(scenario.root)
    return scenario


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _branch(repo: Scenario, name: str, start: str = "main") -> None:
    repo.repo.git("checkout", "-q", "-B", name, start)


def _closed_application(repo: Scenario, signer_key: Any = None) -> tuple[str, bytes]:
    """VOLTAFLEX applies on a branch of its own (pull request #41), later closed without merging."""
    _branch(repo, "voltaflex-applies")
    b = repo.builder
    if signer_key is not None:
        b.key_for = lambda party: signer_key if party == "VOLTAFLEX" else key(party)
    application = b.apply(b.registry.units["MU-VOLTAFLEX-000004"], "UKPN-PR", PR_AT, up=1000.0)
    rel = rel_of("application", application.id)
    repo.repo.commit_all("VOLTAFLEX applies", when=PR_AT + timedelta(minutes=10))
    return rel, repo.path(rel).read_bytes()


def _withdraw(repo: Scenario, head: str = "voltaflex-applies", *more: str) -> Any:
    """What the workflow does: on a branch from main (or the one it keeps), fmar withdraw-signatures for
    the closed pull request, and a commit of the list."""
    if repo.repo.git("rev-parse", "--abbrev-ref", "HEAD") != "withdrawals":
        _branch(repo, "withdrawals")
    result = _run("withdraw-signatures", "--base", "main", "--head", head, "--pr", str(CLOSED), *more)
    repo.repo.commit_all("Withdraw the signatures of pull request #41", when=CLOSED_AT)
    return result


def _merge_list(repo: Scenario) -> None:
    """The operator merges the pull request with the list (the gate judged it first: governance alone)."""
    assert check(repo.root, "main", "withdrawals", now=CLOSED_AT).findings == []
    repo.repo.git("checkout", "-q", "main")
    repo.repo.git("merge", "-q", "--no-ff", "-m", "Merge the list", "withdrawals", when=MERGED_AT)


def _resubmit(repo: Scenario, files: dict[str, bytes], now: datetime = RESUBMITTED_AT) -> list[Finding]:
    """Someone else's pull request from main with ``files``, judged by the gate at ``now``."""
    _branch(repo, "resubmitted")
    for rel, raw in files.items():
        repo.path(rel).parent.mkdir(parents=True, exist_ok=True)
        repo.path(rel).write_bytes(raw)
    repo.repo.commit_all("resubmit", when=now - timedelta(minutes=5))
    return check(repo.root, "main", "resubmitted", now=now).findings


def _line_of(raw: bytes, prefix: str) -> int:
    return next(n for n, line in enumerate(raw.decode().splitlines(), 1) if line.startswith(prefix))


def _rewrapped(value: str, width: int) -> str:
    body = "".join(value.strip().splitlines()[1:-1])
    lines = [body[at : at + width] for at in range(0, len(body), width)]
    return "\n".join([wire.BEGIN, *lines, wire.END]) + "\n"


def _data(raw: bytes) -> dict[str, Any]:
    data, _, problems = parse_text(raw.decode())
    assert data is not None, problems
    return data


def _with_value(raw: bytes, value: str) -> bytes:
    """The record file ``raw`` with another signature value (re-written in the house style)."""
    data = _data(raw)
    data["signature"]["value"] = value
    return dumps(data).encode()


# --- the attack and its answer ----------------------------------------------------------------


def test_a_signature_withdrawn_by_closing_is_refused_when_resubmitted(repo: Scenario) -> None:
    rel, raw = _closed_application(repo)
    result = _withdraw(repo)
    assert result.exit_code == 0, result.output
    listed = repo.path(WITHDRAWN_PATH).read_text(encoding="utf-8")
    entries, bad = parse(listed)
    assert bad == [] and listed.startswith(HEADER)
    assert [(e.path, e.pull_request) for e in entries] == [(rel, CLOSED)]
    assert "withdrew 1 signature(s) of pull request #41" in result.output and "signed by VOLTAFLEX" in result.output
    # Until the operator merges the list, a resubmission still passes: the window docs/trust.md states.
    assert _resubmit(repo, {rel: raw}, now=CLOSED_AT + timedelta(minutes=30)) == []
    _merge_list(repo)
    found = _resubmit(repo, {rel: raw})
    assert [(f.path, f.code, f.json_path) for f in found] == [(rel, "GATE-VAL015", "$.signature.value")]
    assert found[0].line == _line_of(raw, "  value: ") and found[0].column > 1
    assert "pull request #41 closed unmerged" in found[0].message and WITHDRAWN_PATH in found[0].message
    assert "fmar sign" in found[0].hint


def test_the_record_signed_again_by_its_fsp_passes(repo: Scenario) -> None:
    rel, raw = _closed_application(repo)
    assert _withdraw(repo).exit_code == 0
    _merge_list(repo)
    _branch(repo, "signed-again")
    repo.path(rel).parent.mkdir(parents=True, exist_ok=True)
    repo.path(rel).write_bytes(raw)
    repo.sign(rel, "VOLTAFLEX", at=SIGNED_AGAIN_AT)
    repo.repo.commit_all("VOLTAFLEX applies again", when=SIGNED_AGAIN_AT + timedelta(minutes=5))
    assert check(repo.root, "main", "signed-again", now=SIGNED_AGAIN_AT + timedelta(hours=1)).findings == []


def test_a_re_armored_copy_of_the_withdrawn_signature_is_still_refused(repo: Scenario) -> None:
    rel, raw = _closed_application(repo)
    assert _withdraw(repo).exit_code == 0
    _merge_list(repo)
    value = _data(raw)["signature"]["value"]
    for variant in (_rewrapped(value, 64), _rewrapped(value, 1000), _rewrapped(value, 23)):
        assert wire.decode(variant) == wire.decode(value) and variant != value
        found = _resubmit(repo, {rel: _with_value(raw, variant)})
        assert {f.code for f in found} == {"GATE-VAL015"}, [f"{f.code} {f.message}" for f in found]


def _strings(data: bytes) -> list[bytes]:
    """The length-prefixed strings ``data`` is made of (RFC 4251)."""
    out, at = [], 0
    while at < len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        out.append(data[at + 4 : at + 4 + size])
        at += 4 + size
    return out


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _malleated(value: str) -> str:
    """Another valid ECDSA signature of the same bytes, made without the key: (r, s) becomes (r, n - s)."""
    decoded = wire.decode(value)
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # of the NIST P-256 group
    sig_type, inner = _strings(decoded.signature)
    r, s = (int.from_bytes(part, "big") for part in _strings(inner))
    flipped = b"".join(_string(n.to_bytes(n.bit_length() // 8 + 1, "big")) for n in (r, order - s))  # mpints
    blob = (
        wire.MAGIC
        + (1).to_bytes(4, "big")
        + _string(decoded.public_key)
        + _string(decoded.namespace.encode())
        + _string(decoded.reserved)
        + _string(decoded.hash_algorithm.encode())
        + _string(_string(sig_type) + _string(flipped))
    )
    body = base64.b64encode(blob).decode()
    return "\n".join([wire.BEGIN, *(body[at : at + 70] for at in range(0, len(body), 70)), wire.END]) + "\n"


def test_another_valid_signature_of_the_withdrawn_bytes_is_still_refused(repo: Scenario) -> None:
    """ECDSA signatures are malleable: anyone can turn one into another valid one. The list names what
    was signed, not the signature's bytes, so the malleated copy is refused too."""
    ecdsa = ec.generate_private_key(ec.SECP256R1())

    def add_key(body: dict[str, Any]) -> None:
        body["keys"].append({"id": "voltaflex-ecdsa", "public_key": public_key_line(ecdsa), "valid_from": iso(BASE_AT)})

    repo.sign("registry/party/V/VOLTAFLEX.yaml", "FMAR", change=add_key, at=BASE_AT + timedelta(hours=1))
    repo.merge_to_main("operator publishes an ecdsa key of VOLTAFLEX", when=BASE_AT + timedelta(hours=2))
    rel, raw = _closed_application(repo, ecdsa)
    assert _withdraw(repo).exit_code == 0
    _merge_list(repo)
    data = _data(raw)
    value = data["signature"]["value"]
    other = _malleated(value)
    assert wire.decode(other).signature != wire.decode(value).signature
    assert wire.check(wire.decode(other), canonical_bytes(data))  # a valid signature, made without the key
    found = _resubmit(repo, {rel: _with_value(raw, other)})
    assert {f.code for f in found} == {"GATE-VAL015"}, [f"{f.code} {f.message}" for f in found]


# --- the list is the base's, never the change's -------------------------------------------------


def test_a_list_in_the_change_itself_does_not_count(repo: Scenario) -> None:
    """Withdrawing in the change proves nothing, and emptying the list in the change cancels nothing:
    the gate reads the base's list, and the list never goes with data."""
    rel, raw = _closed_application(repo)
    assert _withdraw(repo).exit_code == 0
    listed = repo.path(WITHDRAWN_PATH).read_bytes()
    found = _resubmit(repo, {rel: raw, WITHDRAWN_PATH: listed})  # the list not merged: only in the change
    assert {(f.path, f.code) for f in found} == {(WITHDRAWN_PATH, "GATE-VAL009")}
    repo.repo.git("checkout", "-q", "withdrawals")
    _merge_list(repo)
    found = _resubmit(repo, {rel: raw, WITHDRAWN_PATH: HEADER.encode()})  # the change empties the merged list
    assert {(f.path, f.code) for f in found} == {(WITHDRAWN_PATH, "GATE-VAL009"), (rel, "GATE-VAL015")}


def test_the_list_with_data_is_a_governance_change(repo: Scenario) -> None:
    repo.path(WITHDRAWN_PATH).parent.mkdir(parents=True, exist_ok=True)
    repo.path(WITHDRAWN_PATH).write_text(HEADER, encoding="utf-8")
    repo.acknowledge()
    assert "GATE-VAL009" in repo.codes(path=WITHDRAWN_PATH)


# --- fmar withdraw-signatures ------------------------------------------------------------------


def test_withdraw_on_a_head_that_adds_nothing_writes_nothing(repo: Scenario) -> None:
    _branch(repo, "docs-only")
    repo.path("docs").mkdir(exist_ok=True)
    repo.path("docs/note.md").write_text("a note\n", encoding="utf-8")
    repo.repo.commit_all("docs", when=PR_AT)
    result = _withdraw(repo, "docs-only")
    assert result.exit_code == 0, result.output
    assert "withdraws nothing new" in result.output
    assert not repo.path(WITHDRAWN_PATH).exists()
    # A merged pull request (its head on main) withdraws nothing either.
    as_json = json.loads(_withdraw(repo, "main", "--format", "json").output)
    assert as_json["added"] == [] and as_json["already_listed"] == []
    assert not repo.path(WITHDRAWN_PATH).exists()


def test_a_pull_request_merged_by_squashing_withdraws_nothing(repo: Scenario) -> None:
    """GitHub's squash merge leaves the pull request's head off main: the records main holds, as they
    are, are not withdrawn even if the workflow ran for it."""
    rel, raw = _closed_application(repo)
    _branch(repo, "squashed")
    repo.path(rel).parent.mkdir(parents=True, exist_ok=True)
    repo.path(rel).write_bytes(raw)
    repo.repo.commit_all("VOLTAFLEX applies (#41, squashed)", when=PR_AT + timedelta(minutes=30))
    repo.repo.git("checkout", "-q", "main")
    repo.repo.git("merge", "-q", "--ff-only", "squashed")
    result = _withdraw(repo)
    assert result.exit_code == 0 and "withdraws nothing new" in result.output
    assert not repo.path(WITHDRAWN_PATH).exists()


def test_withdraw_adds_each_signature_once_sorted_and_says_so_in_json(repo: Scenario, tmp_path: Path) -> None:
    rel, _ = _closed_application(repo)

    def rename(body: dict[str, Any]) -> None:
        body["name"] = "Voltaflex battery, renamed"

    unit = "registry/market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000004.yaml"
    repo.sign(unit, "VOLTAFLEX", change=rename)
    repo.repo.commit_all("and renames its unit", when=PR_AT + timedelta(minutes=20))
    first = _withdraw(repo, "voltaflex-applies", "--format", "json")
    assert first.exit_code == 0, first.output
    document = json.loads(first.output)
    assert document["format"] == "fmar-withdrawn-signatures/v1" and document["pull_request"] == CLOSED
    assert sorted((item["path"], item["signer"]) for item in document["added"]) == [
        (rel, "VOLTAFLEX"),
        (unit, "VOLTAFLEX"),
    ]
    listed = repo.path(WITHDRAWN_PATH).read_text(encoding="utf-8")
    lines = [line for line in listed.splitlines() if not line.startswith("#")]
    assert lines == sorted(lines) and len(lines) == 2
    assert [line.split()[0] for line in lines] == sorted(item["digest"] for item in document["added"])
    again = json.loads(_withdraw(repo, "voltaflex-applies", "--format", "json").output)
    assert again["added"] == [] and len(again["already_listed"]) == 2
    assert repo.path(WITHDRAWN_PATH).read_text(encoding="utf-8") == listed
    # the digest is the SHA-256 of the signed bytes, as anyone reproduces it (fmar canonical FILE | sha256sum)
    closed = tmp_path / "closed.yaml"
    closed.write_text(repo.repo.git("show", f"voltaflex-applies:{rel}") + "\n", encoding="utf-8")
    signed_bytes = CliRunner().invoke(cli, ["canonical", str(closed)]).stdout_bytes
    assert f"sha256:{hashlib.sha256(signed_bytes).hexdigest()} {rel} {CLOSED}\n" in listed
    assert signed_digest(_data(closed.read_bytes())) == f"sha256:{hashlib.sha256(signed_bytes).hexdigest()}"


def test_withdraw_reads_blobs_only_and_refuses_a_damaged_list(repo: Scenario) -> None:
    _closed_application(repo)
    _branch(repo, "withdrawals")
    repo.path(WITHDRAWN_PATH).parent.mkdir(parents=True, exist_ok=True)
    repo.path(WITHDRAWN_PATH).write_text(HEADER + "not a withdrawal\n", encoding="utf-8")
    damaged = _run("withdraw-signatures", "--base", "main", "--head", "voltaflex-applies", "--pr", "41")
    assert damaged.exit_code == 2
    assert f"{WITHDRAWN_PATH} line 4" in damaged.output and "Traceback" not in damaged.output
    assert repo.path(WITHDRAWN_PATH).read_text(encoding="utf-8") == HEADER + "not a withdrawal\n"
    repo.path(WITHDRAWN_PATH).unlink()
    assert _run("withdraw-signatures", "--base", "main", "--head", "voltaflex-applies", "--pr", "41").exit_code == 0
    # the closed pull request was never checked out: the branch and the tree are the list's
    assert repo.repo.git("rev-parse", "--abbrev-ref", "HEAD") == "withdrawals"
    assert repo.repo.git("status", "--porcelain") == f"?? {WITHDRAWN_PATH.split('/')[0]}/"
    assert _run("withdraw-signatures", "--base", "main", "--head", "no-such-branch", "--pr", "41").exit_code == 2
    assert _run("withdraw-signatures", "--base", "main", "--head", "voltaflex-applies", "--pr", "0").exit_code == 2
    assert _run("withdraw-signatures", "--help").exit_code == 0
