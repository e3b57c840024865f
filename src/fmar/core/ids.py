"""Identifier patterns for every record kind.

An id is also the file name of its record (``registry/<kind>/<id>.yaml``), so every pattern
is restricted to upper-case ASCII letters, digits, ``-`` and (in the codes of building blocks) ``.``:
nothing that can traverse a path, hide a character or differ only by case on a
case-insensitive file system.
"""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Iterable
from typing import Annotated

from pydantic import StringConstraints

#: Parties: a short upper-case code such as ``NESO``, ``UKPN`` or ``VOLTAFLEX``.
PARTY_ID = r"^[A-Z][A-Z0-9]{1,23}(?:-[A-Z0-9]{1,16})?$"
#: Products: ``<SO>-<CODE>``, for example ``NESO-DC`` or ``UKPN-PEAK-REDUCTION``.
PRODUCT_ID = r"^[A-Z][A-Z0-9]{1,23}(?:-[A-Z0-9]{1,24}){1,4}$"
#: Market Units: ``MU-<FSP>-<serial>``, for example ``MU-VOLTAFLEX-000042``.
MARKET_UNIT_ID = r"^MU-[A-Z][A-Z0-9]{1,23}-[0-9]{6}$"
#: Applications, outcomes and events: a prefix, the year and 8 Crockford base32 characters.
APPLICATION_ID = r"^APP-[0-9]{4}-[0-9A-HJKMNP-TV-Z]{8}$"
OUTCOME_ID = r"^OUT-[0-9]{4}-[0-9A-HJKMNP-TV-Z]{8}$"
EVENT_ID = r"^EVT-[0-9]{4}-[0-9A-HJKMNP-TV-Z]{8}$"
#: Data objects of the process toolkit: ``DO-`` and upper-case words (``DO-METERING-DATA``).
DATA_OBJECT_ID = r"^DO-[A-Z0-9]+(?:-[A-Z0-9]+){0,7}$"
#: Import attestations: ``IMP-``, the year and a three-digit number the operator gives (``IMP-2026-001``).
IMPORT_ATTESTATION_ID = r"^IMP-[0-9]{4}-[0-9]{3}$"
#: Building blocks of the process catalogue: phase letter, a dot and a number (``Q.7``).
PROCESS_ID = r"^[ECQDVS]\.[0-9]{1,2}$"
#: The process toolkit itself: ``TK-`` and a short upper-case name (``TK-E2E``).
TOOLKIT_ID = r"^TK-[A-Z0-9]{2,16}$"
#: An SO's practice of a building block: ``PRAC-``, the SO's party id and the block (``PRAC-UKPN-Q.7``).
PRACTICE_ID = r"^PRAC-[A-Z][A-Z0-9]{1,23}(?:-[A-Z0-9]{1,16})?-[ECQDVS]\.[0-9]{1,2}$"
#: Key ids inside a party record.
KEY_ID = r"^[a-z0-9][a-z0-9-]{1,39}$"
#: The registry's identity (``registry`` of the trust anchor and of every signature), such as
#: ``fmar-gb`` or ``fmar-gb-staging``: 3 to 64 lower-case ASCII letters, digits, ``.`` and ``-``,
#: starting and ending with a letter or digit. One spelling only: no upper case, no spaces.
REGISTRY_ID = r"^[a-z0-9][a-z0-9.-]{1,62}[a-z0-9]$"

PartyId = Annotated[str, StringConstraints(pattern=PARTY_ID)]
ProductId = Annotated[str, StringConstraints(pattern=PRODUCT_ID)]
MarketUnitId = Annotated[str, StringConstraints(pattern=MARKET_UNIT_ID)]
ApplicationId = Annotated[str, StringConstraints(pattern=APPLICATION_ID)]
OutcomeId = Annotated[str, StringConstraints(pattern=OUTCOME_ID)]
EventId = Annotated[str, StringConstraints(pattern=EVENT_ID)]
ProcessId = Annotated[str, StringConstraints(pattern=PROCESS_ID)]
DataObjectId = Annotated[str, StringConstraints(pattern=DATA_OBJECT_ID, max_length=40)]
KeyId = Annotated[str, StringConstraints(pattern=KEY_ID)]
RegistryId = Annotated[str, StringConstraints(pattern=REGISTRY_ID)]

#: Crockford base32 alphabet used by the random part of application, outcome and event ids.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_COMPILED: dict[str, re.Pattern[str]] = {}


def matches(pattern: str, value: str) -> bool:
    """True when all of ``value`` matches the id ``pattern`` (compiled once; ``fullmatch``, as ``$``
    alone would also accept a trailing newline)."""
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = re.compile(pattern)
    return compiled.fullmatch(value) is not None


#: The id prefix of the record kinds whose ids fmar draws.
ID_PREFIX = {"application": "APP", "outcome": "OUT", "event": "EVT"}


def new_id(kind: str, year: int, rng: random.Random | None = None) -> str:
    """A fresh id for an application, outcome or event: prefix, year, 8 random Crockford characters."""
    source = rng or random.SystemRandom()
    return f"{ID_PREFIX[kind]}-{year:04d}-" + "".join(source.choice(CROCKFORD) for _ in range(8))


def close_ids(value: str, known: Iterable[str]) -> list[str]:
    """The (at most three) ids of ``known`` nearest ``value`` (``difflib``, then ignoring case): what a
    "did you mean" names."""
    names = sorted(known)
    near = difflib.get_close_matches(value, names, n=3, cutoff=0.5)
    if not near:
        upper = {name.upper(): name for name in names}
        near = [upper[name] for name in difflib.get_close_matches(value.upper(), list(upper), n=3, cutoff=0.5)]
    return near
