"""Options and plumbing shared by the commands."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from fmar.core import gb_time
from fmar.core.ids import close_ids
from fmar.loading.paths import locate_registry

F = TypeVar("F", bound=Callable[..., Any])

#: Exit codes: 0 clean, 1 findings (or a negative answer), 2 usage or environment error.
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(click.ClickException):
    """A problem with how fmar was called or where it runs; exits 2."""

    exit_code = EXIT_USAGE


def registry_option(func: F) -> F:
    """Add ``--registry DIR`` and pass (root, registry) as ``location``."""

    @click.option(
        "--registry",
        "registry_dir",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        help="Registry folder (default: registry/ of the enclosing Git repository).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, registry_dir: str | None, **kwargs: Any) -> Any:
        root, registry = locate_registry(registry_dir)
        if not registry.is_dir():
            raise UsageError(
                f"no registry folder at {registry}; pass --registry DIR or run inside a registry repository"
            )
        return func(*args, location=(root, registry), **kwargs)

    return wrapper  # type: ignore[return-value]


def folder_option(flag: str, dest: str, default: str, help: str) -> Callable[[F], F]:
    """An option naming a folder a command writes into (created when missing), with its default shown."""
    return click.option(
        flag,
        dest,
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=help,
    )


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format: text for people, json for tools"
        + (", github for workflow annotations." if "github" in choices else "."),
    )


def nearest(value: str, known: Iterable[str]) -> str:
    """ "; did you mean X, Y?" with the ids of ``known`` nearest ``value`` (``difflib``), or, with none
    near, "; known: ..." (the first dozen); "" when nothing is known."""
    names = sorted(known)
    near = close_ids(value, names)
    if near:
        return f"; did you mean {', '.join(near)}?"
    return f"; known: {', '.join(names[:12])}" if names else ""


def unknown(what: str, value: str, known: Iterable[str]) -> NoReturn:
    """Say that ``value`` is no ``what`` the registry knows, with the nearest ones it knows
    (``nearest``), and exit 1 (a negative answer, as for any record not found)."""
    click.echo(f"{value} is not a {what} in the registry{nearest(value, known)}", err=True)
    sys.exit(EXIT_FINDINGS)


#: What ``--as-of`` takes (``parse_moment``), for every command's ``--help``.
AS_OF_HELP = (
    "ISO date (the end of that day in London: 23:59:59 Europe/London) or date and time (London time "
    "unless it has an offset, as in 2026-12-07T09:30Z)"
)


def parse_moment(value: str | None, option: str = "--as-of", *, end_of_day: bool = True) -> datetime:
    """A moment given on the command line (``gb_time.parse``: a date alone is a London day, its
    end by default, its start with ``end_of_day=False``; a time without an offset is London time),
    as an aware UTC instant; now when absent."""
    if value is None:
        return datetime.now(UTC)
    try:
        return gb_time.parse(value, end_of_day=end_of_day)
    except gb_time.NotAMoment:
        raise UsageError(
            f"{option} {value!r} is not an ISO date or date and time (2026-03-31, 2026-03-31T12:00 in "
            "London time, or 2026-03-31T12:00Z)"
        ) from None


def now_option(what: str) -> Callable[[F], F]:
    """``--now TIME``, passed as ``now`` (an aware UTC datetime): the time by which ``what`` is judged."""

    def decorate(func: F) -> F:
        @click.option(
            "--now",
            "now_text",
            default=None,
            metavar="TIME",
            help=f"Judge {what} as of TIME (ISO 8601 with a time zone), to reproduce a past verdict. "
            "Default: this machine's clock. Never a commit date.",
        )
        @functools.wraps(func)
        def wrapper(*args: Any, now_text: str | None, **kwargs: Any) -> Any:
            return func(*args, now=parse_now(now_text), **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def parse_now(text: str | None) -> datetime:
    """A --now value: an ISO 8601 time with a time zone, in UTC; this machine's clock when absent."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now {text!r} is not an ISO 8601 time (2026-12-10T11:00:00Z)") from None
    if moment.tzinfo is None:
        raise UsageError(f"--now {text!r} has no time zone (add Z or +00:00)")
    return moment.astimezone(UTC)


def show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def relative(root: Path, paths: tuple[str, ...]) -> list[str]:
    out = []
    for raw in paths:
        path = Path(raw).resolve()
        if not path.is_relative_to(root):
            raise UsageError(f"{raw} is outside the repository {root}")
        out.append(path.relative_to(root).as_posix())
    return out
