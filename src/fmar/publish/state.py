"""What a build remembers for the next one: every unit's facts and which files made them.

Kept in fmar's cache folder (outside the repository and the published site), under a name
derived from the output folder. It is used only when it belongs to the site now in that
folder (the state holds the digest of that site's manifest, which lists every file with the key of
its inputs and is kept in the cache folder too, sealed to the folder: ``output.load_sealed``), was
made by the same fmar code with
the same options, and the registry's history only moved forward since; otherwise the build
starts from nothing. A state is saved in three kinds of files: the state itself, the stamps of
the files Git cannot vouch for (``survey``; the others are known by the commits since the
state's head, the same in every clone) and the segments holding each unit's facts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fmar.loading.record_file import LoadedFile
from fmar.publish.facts import UnitFacts, decode, encode
from fmar.publish.ledger import ChangeLedger
from fmar.publish.output import site_token
from fmar.validation.cache import Cache

#: A build state's facts segments (``save_state``): at most this many, and at most this share of
#: facts no longer in use in them; else they are written again as one.
SEGMENTS = 12
SEGMENT_WASTE = 0.25


@dataclass
class BuildState:
    #: Names this state among the saved ones; the seal names the one that describes the site.
    serial: str
    #: What makes two builds comparable: code, options and registry location.
    signature: str
    as_of: datetime
    head: str | None
    #: rel -> the unit whose group the file's record belongs to ("" for reference records).
    group_of: dict[str, str]
    #: Application id -> unit id.
    application_unit: dict[str, str]
    #: The reference records' files as loaded (parties, products, processes).
    reference: dict[str, LoadedFile]
    facts: dict[str, UnitFacts]
    #: Every change of every record, the removed ones' included.
    ledger: ChangeLedger = field(default_factory=ChangeLedger)
    #: The latest recorded time of any record (the default as-of time without Git).
    latest: datetime | None = None
    #: Where each unit's facts are saved (``facts.encode``): segment, offset and length.
    places: dict[str, tuple[str, int, int]] = field(default_factory=dict, repr=False, compare=False)
    #: The size of each segment ``places`` refers to.
    segments: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def members(self, units: set[str]) -> list[str]:
        """The files of the groups of ``units``."""
        return [rel for rel, unit in self.group_of.items() if unit in units]


def state_name(out: Path) -> str:
    """The prefix of the names of the states of the site in ``out`` (its seal and its saved states)."""
    return "build-" + hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:20]


def sealed_serial(cache: Cache, out: Path) -> str | None:
    """The serial of the state of the site now in ``out``: the one its seal names, sealed with the
    digest of the manifest the site has now (None when there is none to trust)."""
    token = site_token(out)
    seal = cache.load_bytes(f"{state_name(out)}.seal")
    if token is None or seal is None:
        return None
    sealed_token, _, serial = seal.decode().partition(" ")
    return serial if sealed_token == token and serial.isalnum() else None


def stamps_name(out: Path, serial: str) -> str:
    """Where the stamps of the record files a state was built from are saved (``survey``)."""
    return f"{state_name(out)}-{serial}.stamps"


def load_state(cache: Cache, out: Path, signature: str, serial: str | None) -> BuildState | None:
    """The state ``serial`` (``sealed_serial``) of the site now in ``out``, if it can be trusted
    for this build (made by this code with the same ``signature``)."""
    if serial is None:
        return None
    state = cache.load(f"{state_name(out)}-{serial}.pickle")
    if not isinstance(state, BuildState) or state.serial != serial or state.signature != signature:
        return None
    segments = {}
    for segment in state.segments:
        blob = cache.map_bytes(segment)
        if blob is None or len(blob) != state.segments[segment]:
            return None
        segments[segment] = blob
    state.facts = {unit: decode(segments[at][start : start + size]) for unit, (at, start, size) in state.places.items()}
    return state


def save_state(
    cache: Cache, out: Path, state: BuildState, previous: BuildState | None, encoded: dict[str, bytes]
) -> set[str]:
    """Save ``state`` (not in use until ``seal_state``); returns the names of the files it is saved in.

    Facts live in segments (``places``): the facts of the units derived again (``encoded``, as
    ``facts.encode`` made them) go into a new one, and every unit whose facts ``previous`` handed
    over stays where it was, so a build that derived ten units writes their facts, not those of a
    national registry. When the segments would hold more than ``SEGMENT_WASTE`` of facts no longer
    in use, or be more than ``SEGMENTS``, every unit's facts go into the new one."""
    kept = previous.facts if previous else {}
    before = previous.places if previous else {}
    facts = state.facts
    places = {unit: before[unit] for unit, f in facts.items() if unit not in encoded and kept.get(unit) is f}
    fresh = {unit: encoded.get(unit) or encode(f) for unit, f in facts.items() if unit not in places}
    sizes = previous.segments if previous else {}
    used = {at for at, _, _ in places.values()}
    live = sum(size for _, _, size in places.values()) + sum(map(len, fresh.values()))
    waste = sum(sizes[at] for at in used) - sum(size for _, _, size in places.values())
    if len(used) >= SEGMENTS or waste > SEGMENT_WASTE * live:
        fresh = _all_facts(cache, facts, places, fresh)
        places = {}
    segment = f"{state_name(out)}-{state.serial}.facts"
    start = 0
    for unit in sorted(fresh):
        places[unit] = (segment, start, len(fresh[unit]))
        start += len(fresh[unit])
    if fresh:
        cache.save_bytes(segment, b"".join(fresh[unit] for unit in sorted(fresh)))
    state.places = dict(sorted(places.items()))
    state.segments = {at: sizes.get(at, start) for at in sorted({at for at, _, _ in places.values()})}
    state.facts = {}
    try:
        cache.save(f"{state_name(out)}-{state.serial}.pickle", state)
    finally:
        state.facts = facts
    return {f"{state_name(out)}-{state.serial}.pickle", stamps_name(out, state.serial), *state.segments}


def _all_facts(
    cache: Cache, facts: dict[str, UnitFacts], places: dict[str, tuple[str, int, int]], fresh: dict[str, bytes]
) -> dict[str, bytes]:
    """Every unit's facts as saved: ``fresh`` and those of ``places`` read back from their segments."""
    out = dict(fresh)
    segments: dict[str, bytes | None] = {}
    for unit, (at, start, size) in places.items():
        if at not in segments:
            segments[at] = cache.load_bytes(at)
        blob = segments[at]
        out[unit] = blob[start : start + size] if blob is not None else encode(facts[unit])
    return out


def seal_state(cache: Cache, out: Path, serial: str, files: set[str]) -> None:
    """Make the saved state ``serial`` (saved in ``files``) the one of the site now in ``out``;
    drop the others' files."""
    name = state_name(out)
    cache.save_bytes(f"{name}.seal", f"{site_token(out)} {serial}".encode())
    cache.prune(f"{name}-", files)
    (cache.directory / f"{name}.pickle").unlink(missing_ok=True)  # the one unsealed state earlier versions kept
    (cache.directory / f"{name}.pickle").unlink(missing_ok=True)  # the one unsealed state earlier versions kept


def forget_state(cache: Cache, out: Path) -> None:
    (cache.directory / f"{state_name(out)}.seal").unlink(missing_ok=True)


def new_serial() -> str:
    return secrets.token_hex(8)
