"""Where each record lives: its path under ``registry/``, a pure function of its kind and id.

The one statement of the registry's layout (``docs/layout.md`` explains it). Every record is a file
``<id>.yaml`` in a folder chosen so that a person browsing finds it where they would look, and no
folder holds more than ``FOLDER_LIMIT`` entries (what GitHub's web view lists, and the CVE list's
own limit) at national scale and beyond:

=================  ============================================  ==========================================
kind               path under ``registry/``                      why
=================  ============================================  ==========================================
``market_unit``    ``market_unit/<FSP>/<NNN>xxx/<id>.yaml``      units by FSP, in blocks of 1,000 serials
``application``    ``application/<year>/<c>/<cc>/<id>.yaml``     by the year in the id, then by the first
``outcome``        ``outcome/<year>/<c>/<cc>/<id>.yaml``         one and two random characters (32 and
``event``          ``event/<year>/<c>/<cc>/<id>.yaml``           1,024 folders a year)
``party``          ``party/<initial>/<id>.yaml``                 by initial, as Homebrew files formulae
``product``        ``product/<SO>/<id>.yaml``                    each SO's catalogue together
``process``        ``process/<id>.yaml``                         the pattern allows at most 600 codes
``import_          ``import_attestation/<year>/<id>.yaml``       by year; at most 1,000 a year by the
attestation``                                                    pattern
``data_object``    ``data_object/<id>.yaml``                     the toolkit's catalogue: some dozens
``toolkit``        ``toolkit/<id>.yaml``                         the toolkit itself: one
``practice``       ``practice/<SO>/<id>.yaml``                   each SO's practices together; at most
                                                                 one per block (600)
=================  ============================================  ==========================================

A unit block holds at most 1,000 serials by construction, and an FSP at most 1,000 blocks. The
random characters of application, outcome and event ids spread them evenly: a year of one kind
stays under 1,000 a folder up to about 800,000 records (a national registry of 100,000 units adds
about 65,000 events a year). Beyond what the path spreads (more than 1,000 FSPs with units, 1,000
parties of one initial, 1,000 products of one SO, ids chosen to collide), the folder limit is a rule
(``FOLDER_TOO_LARGE``) that validation and the gate enforce.

The registry's first layout put every record at ``<kind>/<id>.yaml`` (``flat_path``). Its paths are
still read from history, so a record's history and recorded time continue across the move that
``fmar migrate layout`` makes; in a working tree they are records at the wrong path.
"""

from __future__ import annotations

from typing import NamedTuple

from fmar.core import ids

#: The most entries a folder under ``registry/`` may hold.
FOLDER_LIMIT = 1000

#: The id pattern of each record kind (the models' ``id`` fields carry the same).
ID_PATTERNS = {
    "party": ids.PARTY_ID,
    "product": ids.PRODUCT_ID,
    "market_unit": ids.MARKET_UNIT_ID,
    "application": ids.APPLICATION_ID,
    "outcome": ids.OUTCOME_ID,
    "event": ids.EVENT_ID,
    "process": ids.PROCESS_ID,
    "import_attestation": ids.IMPORT_ATTESTATION_ID,
    "data_object": ids.DATA_OBJECT_ID,
    "toolkit": ids.TOOLKIT_ID,
    "practice": ids.PRACTICE_ID,
}

#: Kinds whose ids begin with a fixed prefix that no other kind's id is given.
_PREFIXED = {
    "MU-": "market_unit",
    "APP-": "application",
    "OUT-": "outcome",
    "EVT-": "event",
    "IMP-": "import_attestation",
    "DO-": "data_object",
    "TK-": "toolkit",
    "PRAC-": "practice",
}
#: The number of folders between the kind folder and the file, by kind.
DEPTH = {
    "market_unit": 2,
    "application": 3,
    "outcome": 3,
    "event": 3,
    "party": 1,
    "product": 1,
    "process": 0,
    "import_attestation": 1,
    "data_object": 0,
    "toolkit": 0,
    "practice": 1,
}


def folder_of(kind: str, record_id: str) -> str:
    """The folder of the record, relative to ``registry/``: ``market_unit/VOLTAFLEX/000xxx``.

    ``record_id`` must match its kind's id pattern (``is_id``); the folder of any other string is
    not defined.
    """
    if kind == "market_unit":  # MU-<FSP>-<serial of 6 digits>
        return f"market_unit/{record_id[3:-7]}/{record_id[-6:-3]}xxx"
    if kind in ("application", "outcome", "event"):  # <prefix>-<year>-<8 random characters>
        year, _, rest = record_id.partition("-")[2].partition("-")
        return f"{kind}/{year}/{rest[0]}/{rest[:2]}"
    if kind == "party":
        return f"party/{record_id[0]}"
    if kind == "product":  # <SO>-<code>
        return f"product/{record_id.partition('-')[0]}"
    if kind == "practice":  # PRAC-<SO>-<block>
        return f"practice/{record_id[5:].rpartition('-')[0]}"
    if kind == "import_attestation":  # IMP-<year>-<number>
        return f"import_attestation/{record_id[4:8]}"
    return kind


def path_of(kind: str, record_id: str) -> str:
    """The record's file, relative to ``registry/``: ``market_unit/VOLTAFLEX/000xxx/MU-VOLTAFLEX-000042.yaml``."""
    return f"{folder_of(kind, record_id)}/{record_id}.yaml"


def flat_path(kind: str, record_id: str) -> str:
    """The record's file in the registry's first layout, relative to ``registry/``: ``<kind>/<id>.yaml``."""
    return f"{kind}/{record_id}.yaml"


def is_id(kind: str, value: str) -> bool:
    """True when ``value`` is an id of ``kind``."""
    return kind in ID_PATTERNS and ids.matches(ID_PATTERNS[kind], value)


class RecordPath(NamedTuple):
    """What a path under ``registry/`` names: the kind folder, the id its file name gives, and
    whether the path is where that record belongs (``path_of``)."""

    kind: str
    id: str
    canonical: bool

    @property
    def right_path(self) -> str:
        return path_of(self.kind, self.id)


def parse(relpath: str) -> RecordPath | None:
    """What ``relpath`` (relative to ``registry/``) names: a file ``<id>.yaml`` of its kind folder's
    kind, at any depth in that folder; None for anything else. ``canonical`` says whether it is the
    record's own path; the flat layout's paths are not, and are read only from history."""
    kind, _, rest = relpath.partition("/")
    if not rest.endswith(".yaml") or kind not in ID_PATTERNS:
        return None
    record_id = rest[rest.rfind("/") + 1 : -5]
    if not ids.matches(ID_PATTERNS[kind], record_id):
        return None
    return RecordPath(kind, record_id, relpath == path_of(kind, record_id))


def parse_any(relpath: str) -> tuple[str, str] | None:
    """(kind, id) of a record file at its own path or at its path in the flat layout (a tree of the
    registry's history may hold either); None for anything else."""
    found = parse(relpath)
    if found is None or not (found.canonical or relpath == flat_path(found.kind, found.id)):
        return None
    return found.kind, found.id


def kinds_of(record_id: str) -> list[str]:
    """The kinds whose id pattern ``record_id`` matches. An id with a kind's own prefix (``MU-``, ``APP-``,
    ``OUT-``, ``EVT-``) is that kind's alone; a name such as ``NESO-DC`` may be a party's or a product's."""
    for prefix, kind in _PREFIXED.items():
        if record_id.startswith(prefix):
            return [kind] if is_id(kind, record_id) else []
    return [kind for kind in ID_PATTERNS if kind not in _PREFIXED.values() and is_id(kind, record_id)]
