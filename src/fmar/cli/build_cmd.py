"""fmar build, fmar serve and fmar demo: the public site and the exports."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import click

from fmar.cli import report
from fmar.cli.common import (
    AS_OF_HELP,
    EXIT_FINDINGS,
    UsageError,
    folder_option,
    format_option,
    parse_moment,
    registry_option,
)
from fmar.core import gb_time

_STARTED = time.monotonic()


def _report(message: str) -> None:
    click.echo(f"[{time.monotonic() - _STARTED:6.1f} s] {message}", err=True)


def _site_url(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    """``--site-url``, normalised to end with ``/`` (a usage error, exit 2, unless an http(s) URL)."""
    if value is None:
        return None
    from fmar.publish.site_url import normalise

    try:
        return normalise(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _bulk_url(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    """``--bulk-url``, ending with ``/`` (a usage error, exit 2, unless an http(s) URL)."""
    if value is None:
        return None
    from fmar.publish.site_url import normalise_bulk_url

    try:
        return normalise_bulk_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@registry_option
@click.option(
    "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("_site"), show_default=True
)
@click.option("--as-of", "as_of", default=None, help=AS_OF_HELP + "; default: the head commit's time.")
@click.option(
    "--commit-url",
    "commit_url",
    default=None,
    metavar="URL",
    help="Prefix that makes a commit id a link, e.g. https://github.com/OWNER/REPO/commit/ (default: no links).",
)
@click.option(
    "--site-url",
    "site_url",
    default=None,
    metavar="URL",
    callback=_site_url,
    help="Where the site is served, e.g. https://OWNER.github.io/REPO/: the feeds' links, sitemap.xml, "
    "robots.txt and canonical links are made absolute from it (default: none of sitemap.xml and robots.txt; "
    "feed links relative).",
)
@click.option(
    "--bulk-url",
    "bulk_url",
    default=None,
    metavar="URL",
    callback=_bulk_url,
    help="Publish the bulk files (all.zip, qualifications.json|csv, changes.csv, units.csv) at this URL instead of "
    "on the site: they are written to --bulk-out with SHA256SUMS and TAG, and every link points there. {tag} in "
    "the URL stands for the build's release tag (data-<as-of>-<commit>), e.g. "
    "https://github.com/OWNER/REPO/releases/download/{tag}/ (default: the bulk files stay on the site).",
)
@folder_option("--bulk-out", "bulk_out", "_bulk", "Where the bulk files are written when --bulk-url is given.")
@format_option("text", "json", "github")
def build(
    location: tuple[Path, Path],
    out: Path,
    as_of: str | None,
    commit_url: str | None,
    site_url: str | None,
    bulk_url: str | None,
    bulk_out: Path,
    fmt: str,
) -> None:
    """Build the public site and the JSON/CSV/Atom exports from the registry into OUT.

    Only what changed since the previous build into OUT is derived and written again. A registry
    with errors builds nothing (exit status 1, the errors listed in --format) and leaves OUT as it was.
    A different --site-url than the previous build's builds everything. OUT holds the site and
    nothing else (fmar keeps what it knows of it in its cache folder), so it can be published as it is.
    """
    from fmar.publish.build import build as build_site
    from fmar.publish.plan import RegistryInvalid

    root, registry_dir = location
    started = time.monotonic()
    if commit_url is not None and not commit_url.startswith(("https://", "http://")):
        raise UsageError(f"--commit-url must start with https:// or http://, not {commit_url!r}")
    moment = parse_moment(as_of) if as_of else None
    apart = not (bulk_out.resolve().is_relative_to(out.resolve()) or out.resolve().is_relative_to(bulk_out.resolve()))
    if bulk_url and not apart:
        raise UsageError(f"--bulk-out {bulk_out} and --out {out} must lie apart: the bulk files leave the site")
    try:
        result = build_site(
            root,
            registry_dir,
            out,
            moment,
            commit_url=commit_url,
            site_url=site_url,
            bulk_url=bulk_url,
            bulk_out=bulk_out if bulk_url else None,
            log=_report,
        )
    except RegistryInvalid as invalid:
        errors = [f for f in invalid.findings if f.severity == "error"]
        report.write(fmt, errors, invalid.files, sys.stdout)
        click.echo(f"nothing built: {invalid}; {out} is unchanged", err=True)
        sys.exit(EXIT_FINDINGS)
    scope = "full build" if result.full else f"{result.derived_units} Market Units derived again"
    click.echo(
        f"built {result.out} as of {gb_time.shown_time(result.as_of)} ({scope}): {result.records} records, "
        f"{result.pages_written} files rewritten, {result.files} files, {time.monotonic() - started:.1f} s"
    )


@click.command()
@click.option(
    "--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("_site"), show_default=True
)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option(
    "--base-path",
    default="/",
    show_default=True,
    help="Serve the site under this path, as GitHub Pages serves a project site (e.g. /fmar/).",
)
def serve(folder: Path, port: int, base_path: str) -> None:
    """Serve a built site on http://127.0.0.1:PORT/BASE-PATH (Ctrl-C to stop)."""
    if not (folder / "index.html").is_file():
        raise UsageError(f"no built site in {folder}; run 'fmar build --out {folder}' first")
    _serve(folder, port, base_path)


def _serve(folder: Path, port: int, base: str = "/") -> None:
    from fmar.publish.serve import base_path, server

    try:
        httpd = server(folder, port, base)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; pass --port") from None
    click.echo(f"serving {folder} at http://127.0.0.1:{httpd.server_address[1]}{base_path(base)} (Ctrl-C to stop)")
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


@click.command()
@click.option("--units", type=click.IntRange(1, 100_000), default=40, show_default=True)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the demo (default: a new temporary folder).",
)
@click.option("--no-serve", is_flag=True, help="Build only; do not start a web server.")
@click.option("--port", type=int, default=8000, show_default=True)
def demo(units: int, out: Path | None, no_serve: bool, port: int) -> None:
    """Replay a year of registry activity into a fresh Git repository, build its site and serve it."""
    from fmar.generate.demo import END, replay
    from fmar.publish.build import build as build_site

    base = out or Path(tempfile.mkdtemp(prefix="fmar-demo-"))
    repo = base / "repo"
    if repo.exists():
        raise UsageError(f"{repo} exists; pass an empty --out folder")
    started = time.monotonic()
    registry = replay(repo, units, log=_report)
    site = base / "site"
    result = build_site(repo, registry, site, END, log=_report)
    click.echo(f"demo repository: {repo}  (git log --graph shows the pull requests)")
    from fmar.publish.urls import API_ROOT

    click.echo(f"site and exports: {site}  (exports under {site}/{API_ROOT}/)")
    click.echo(f"{result.records} records, built in {time.monotonic() - started:.1f} s")
    if not no_serve:
        _serve(site, port)
