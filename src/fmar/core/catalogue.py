"""Every rule of the registry, with its stable code and one-line statement.

This is the single list that ``fmar rules``, the generated rule reference and the tests read.
A code is never reused for a different rule; a retired rule keeps its code out of use.
"""

from __future__ import annotations

from fmar.core.findings import Rule, Severity

_W = Severity.WARNING

#: Every rule in the order of this file: what ``fmar rules`` and the rule reference list.
_RULES: list[Rule] = []


def _rule(code: str, statement: str, severity: Severity = Severity.ERROR) -> Rule:
    """A new rule, added to the list; a code is never used twice."""
    if any(rule.code == code for rule in _RULES):
        raise ValueError(f"rule code {code} is already in use")
    rule = Rule(code, statement, severity)
    _RULES.append(rule)
    return rule


# Files and layout
MISPLACED_FILE = _rule("REG-VAL001", "Every file under registry/ is a record file in the folders of its kind.")
UNKNOWN_KIND_FOLDER = _rule("REG-VAL002", "The folder of a record names a known record kind.")
NOT_A_REGULAR_FILE = _rule(
    "REG-VAL003", "Records are regular files, never symbolic links, submodules or other special files."
)
BAD_FILE_NAME = _rule("REG-VAL004", "A record's file name is a valid id of its kind followed by '.yaml'.")
ID_NOT_FILE_NAME = _rule("REG-VAL005", "The id inside a record equals its file name.")
KIND_NOT_FOLDER = _rule("REG-VAL006", "The kind inside a record equals the folder it is in.")
UNREADABLE_FILE = _rule("REG-VAL007", "A record file can be read.")
EXECUTABLE_FILE = _rule("REG-VAL008", "Registry files are plain data, never executable (Git file mode 100644).")
PATH_CASE_COLLISION = _rule(
    "REG-VAL009",
    "No path (and so no record id) differs from another only by letter case, Unicode normal form or "
    "trailing dots and spaces: macOS and Windows checkouts would make them one file.",
)
RECORD_AT_WRONG_PATH = _rule(
    "REG-VAL010",
    "A record lives at the one path its kind and id give (docs/layout.md; fmar where ID prints it).",
)
FOLDER_TOO_LARGE = _rule(
    "REG-VAL011",
    "No folder under registry/ holds more than 1,000 entries (GitHub lists no more of a folder).",
)

# YAML
NOT_UTF8 = _rule("YAML-VAL001", "A record file is UTF-8 text.")
FORBIDDEN_CHARACTER = _rule(
    "YAML-VAL002", "A record contains no NUL, control, zero-width or bidirectional formatting characters."
)
YAML_SYNTAX_ERROR = _rule("YAML-VAL003", "A record is well-formed YAML.")
DUPLICATE_KEY = _rule("YAML-VAL004", "A mapping has no duplicate keys.")
ANCHOR_OR_ALIAS = _rule("YAML-VAL005", "A record uses no anchors or aliases.")
MERGE_KEY = _rule("YAML-VAL006", "A record uses no merge keys ('<<').")
YAML_TAG = _rule("YAML-VAL007", "A record uses no tags.")
NOT_ONE_DOCUMENT = _rule("YAML-VAL008", "A record file holds exactly one YAML document and no directives.")
TOO_DEEP = _rule("YAML-VAL009", "A record nests at most 16 levels deep.")
AMBIGUOUS_PLAIN_VALUE = _rule("YAML-VAL010", "A plain (unquoted) value means the same in YAML 1.1 and YAML 1.2.")
NOT_A_MAPPING = _rule("YAML-VAL011", "A record file holds a mapping of fields.")
KEY_NOT_TEXT = _rule("YAML-VAL012", "Every key is text.")
FILE_TOO_LARGE = _rule("YAML-VAL013", "A record file is at most 64 KiB.")
NUMBER_NOT_EXACT_IN_JSON = _rule(
    "YAML-VAL014",
    "Every number is one RFC 8785 JSON holds exactly: an integer from -(2^53-1) to 2^53-1, or a finite decimal.",
)
COMMENT_IN_YAML = _rule(
    "YAML-VAL015", "A record file holds no YAML comments: they are outside the signature, so nobody vouches for them."
)

# Schema
MISSING_FIELD = _rule("SCH-VAL001", "Every required field is present.")
UNKNOWN_FIELD = _rule("SCH-VAL002", "A record has no fields beyond its schema (so no personal data can be added).")
WRONG_TYPE = _rule("SCH-VAL003", "Every value has the type its schema gives.")
VALUE_NOT_ALLOWED = _rule("SCH-VAL004", "Every value is one of those its schema allows.")
WRONG_FORMAT = _rule("SCH-VAL005", "Every value has the format its schema gives (ids, dates, keys, links).")
OUT_OF_BOUNDS = _rule("SCH-VAL006", "Every number, text and list is within the bounds its schema gives.")
UNKNOWN_SCHEMA_VERSION = _rule("SCH-VAL007", "A record names a schema version this release of fmar reads.")

# Privacy
METER_NUMBER_IN_TEXT = _rule("PRIV-VAL001", "Free text holds no MPAN or other long meter-like number.")
POSTCODE_IN_TEXT = _rule("PRIV-VAL002", "Free text holds no full UK postcode.")
CONTACT_DETAILS_IN_TEXT = _rule("PRIV-VAL003", "Free text holds no e-mail address or telephone number.")

# References
UNRESOLVED_REFERENCE = _rule("REF-VAL001", "Every reference to another record resolves.")
WRONG_ROLE_REFERENCED = _rule("REF-VAL002", "A referenced party has the role the reference needs.")

# Parties
LICENCE_AREAS = _rule("PTY-VAL001", "A DSO names the licence areas it operates; other parties name none.")
KEY_NOT_UNIQUE = _rule("PTY-VAL002", "Key ids are unique within a party and a public key belongs to one party only.")
KEY_VALIDITY_WINDOW = _rule("PTY-VAL003", "A key's validity window runs forward, and a revoked key says when and why.")
ONE_OPERATOR_ONE_NESO = _rule("PTY-VAL004", "The registry has exactly one registry operator and at most one NESO.", _W)

# Products
PRODUCT_OWNER_NOT_SO = _rule("PRD-VAL001", "A product is owned by a system operator (a DSO or NESO).")
PRODUCT_VERSION_SEQUENCE = _rule(
    "PRD-VAL002", "Product versions are numbered 1, 2, 3... with effective dates that increase."
)
BAD_EQUIVALENCE = _rule("PRD-VAL003", "An equivalence names another product, once.")
PRODUCT_ID_NOT_SO = _rule("PRD-VAL004", "A product id starts with its SO's id.")

# Market Units
UNIT_OWNER_NOT_FSP = _rule("MU-VAL001", "A Market Unit is owned by an FSP.")
GSP_GROUP_MISMATCH = _rule("MU-VAL002", "A unit's GSP group is the one of its licence area.")
ACCOUNTING_POINT_COUNT = _rule("MU-VAL003", "An SPU has exactly one accounting point; an SPG has two or more.")
DUPLICATE_ASSET_CATEGORY = _rule("MU-VAL004", "An asset category appears once in a unit's composition.")
CAPACITY_ABOVE_ASSETS = _rule(
    "MU-VAL005", "A unit's import and export capacities do not exceed the rated capacity of its assets."
)
UNIT_ID_NOT_FSP = _rule("MU-VAL006", "A unit's id names its FSP: MU-<FSP>-<serial>.")
NO_CAPACITY = _rule("MU-VAL007", "A unit can import or export: not both capacities zero.")
MATERIAL_CHANGE = _rule(
    "MU-VAL008", "A material change of a unit's composition puts its live qualifications into re-assessment.", _W
)

# Applications
UNKNOWN_PRODUCT_VERSION = _rule("APP-VAL001", "An application is for a version of the product that exists.")
APPLICATION_SO_MISMATCH = _rule("APP-VAL002", "An application names the product's SO as the SO.")
DUPLICATE_OPEN_APPLICATION = _rule("APP-VAL003", "A unit has at most one open application per product and SO.")
CAPACITY_ABOVE_UNIT = _rule(
    "APP-VAL004", "Capacity applied for is within what the unit can deliver (import plus export)."
)
CAPACITY_UNFIT_FOR_PRODUCT = _rule(
    "APP-VAL005", "Capacity applied for fits the product: its direction, at or above its minimum."
)
OUTSIDE_LICENCE_AREA = _rule("APP-VAL006", "A unit applies to a DSO's product only inside that DSO's licence areas.")
APPLICATION_NOT_BY_OWNER = _rule("APP-VAL007", "An application is signed by the FSP that owns the unit.")
CAPABILITIES_SHORT = _rule("APP-VAL008", "Declared capabilities meet the product version's requirements.", _W)
COMPOSITION_MISMATCH = _rule(
    "APP-VAL009", "The composition applied with is the unit's composition when the application was made.", _W
)

# Outcomes
OUTCOME_NOT_BY_SO = _rule("OUT-VAL001", "An outcome is signed by the SO that owns the product applied for.")
VALIDITY_BACKWARDS = _rule("OUT-VAL002", "A qualification's validity starts before it ends.")
VALIDITY_TOO_LONG = _rule("OUT-VAL003", "A qualification's validity is no longer than the product version allows.")
CONDITIONS_OR_REASONS = _rule(
    "OUT-VAL004", "A conditional qualification lists its conditions; a failure lists its reasons; others neither."
)
CAPACITY_ABOVE_APPLIED = _rule(
    "OUT-VAL005", "Capacity qualified is within the capacity applied for, and a qualification grants some."
)
FAILURE_GRANTS_SOMETHING = _rule("OUT-VAL006", "A failed outcome grants no validity and no capacity.")
OUTCOME_CORRECTS_OTHER_APPLICATION = _rule(
    "OUT-VAL007", "A correcting outcome supersedes an outcome of the same application."
)

# Events
EVENT_WRONG_SIGNER = _rule(
    "EVT-VAL001", "An event is signed by the party its type belongs to (the SO or the unit's FSP)."
)
REASON_MISSING = _rule("EVT-VAL002", "Withdrawals, suspensions and revocations give a reason.")
RESPONSE_DEADLINE = _rule(
    "EVT-VAL003", "An information request gives a response deadline after its own time; other events give none."
)
EVENT_CORRECTS_OTHER_APPLICATION = _rule(
    "EVT-VAL004", "A correcting event supersedes an event of the same application."
)

# Lifecycle
TRANSITION_NOT_ALLOWED = _rule(
    "LIFE-VAL001", "Each outcome and event is a transition the lifecycle allows from the state before it."
)
BEFORE_APPLICATION = _rule(
    "LIFE-VAL002", "Outcomes and events take effect no earlier than the application they answer."
)
SUPERSEDED_TWICE = _rule("LIFE-VAL003", "A record is superseded at most once.")

# Process catalogue
BLOCK_CODE_PHASE = _rule(
    "PROC-VAL001",
    "A building block's code is its phase's letter and its order in the phase (Q.7 is the seventh of Qualification).",
)
KIND_BLOCK_MISMATCH = _rule(
    "PROC-VAL002", "Every record kind names a building block of the catalogue, and the block names it back."
)
BLOCK_UNSTATED = _rule(
    "PROC-VAL003",
    "Every building block states what it is for, who takes part, what holds before and after, the data objects "
    "it takes and gives, and the systems it interfaces with.",
)
BLOCK_UNKNOWN_DATA_OBJECT = _rule(
    "PROC-VAL004", "A building block's inputs and outputs are data objects of the catalogue."
)
BLOCK_LINK_BROKEN = _rule(
    "PROC-VAL005",
    "A building block follows and leads to blocks of the catalogue, each naming it back, and is linked to at "
    "least one.",
)
CARRIER_UNKNOWN = _rule(
    "DOBJ-VAL001", "A data object is carried only by record kinds of the registry and fields those kinds have."
)
DATA_OBJECT_UNUSED = _rule("DOBJ-VAL002", "Every data object is an input or output of some building block.", _W)
TOOLKIT_VERSION_SEQUENCE = _rule(
    "TK-VAL001", "The toolkit's versions are listed oldest first, numbered upwards, with dates that never go back."
)
TOOLKIT_EDIT_UNKNOWN = _rule(
    "TK-VAL002",
    "A toolkit version's edits name building blocks of the catalogue, and no version names a block before the "
    "version that added it; the catalogue of every version can be given.",
)
TOOLKIT_NOT_ONE = _rule("TK-VAL003", "The registry holds one toolkit record: its versions are the toolkit's history.")
PRACTICE_ID_MISMATCH = _rule("PRAC-VAL001", "An SO practice's id is PRAC-, its SO's id and its block's code.")
PRACTICE_UNKNOWN_REFERENCE = _rule(
    "PRAC-VAL002",
    "An SO practice is a system operator's, for a building block of the catalogue, and asks for data objects of "
    "the catalogue.",
)
PRACTICE_REPEATED = _rule("PRAC-VAL003", "An SO practice names each input, step and system once.")

# Import attestations
ATTESTED_UNKNOWN = _rule("IMP-VAL001", "An import attestation names only records that are in the registry.")
ATTESTED_TWICE = _rule("IMP-VAL002", "A record is given an original recorded time by one import attestation, once.")
ATTESTED_AFTER_SIGNING = _rule(
    "IMP-VAL003", "An attested original recorded time is no later than the attestation was signed."
)
ATTESTED_NOT_IMPORTED = _rule(
    "IMP-VAL004",
    "An import attestation names only records that entered the registry with it (the same commit on main): "
    "a record first recorded here keeps its recorded time.",
)
ATTESTED_OUT_OF_ORDER = _rule(
    "IMP-VAL005",
    "An attested outcome or event is recorded no earlier than its application, and an application no "
    "earlier than its unit.",
)

# Workflow commands (fmar unit, apply, decide...): refused before anything is written
SIGNING_KEY_UNUSABLE = _rule(
    "WF-VAL001", "A command signs with a key that its signer publishes, valid at the signing time."
)
UNIT_ADD_OR_UPDATE = _rule(
    "WF-VAL002", "'unit add' creates a unit that does not exist yet; 'unit update' changes one that does."
)
BAD_INPUT_FILE = _rule("WF-VAL003", "A command's input file is a YAML or JSON mapping of record fields.")
BAD_BULK_ROW = _rule(
    "WF-VAL004",
    "A bulk file (--from) is a CSV file whose header names known columns, with one record per row and each "
    "cell of its column's type; nothing is written unless every row is accepted.",
)

# History (audit trail from Git)
PUBLISHED_HEAD_DROPPED = _rule(
    "HIST-VAL001", "Every published head is still a commit of the repository (no rewrite or force-push dropped it)."
)
PUBLISHED_HEAD_OFF_MAIN_LINE = _rule(
    "HIST-VAL002", "Every published head stays on the first-parent line of the main branch."
)
HISTORIC_SIGNATURE_INVALID = _rule(
    "HIST-VAL003", "Every historical version of a record verifies against its signer's key at that commit."
)
HISTORIC_KEY_UNKNOWN = _rule(
    "HIST-VAL004", "Every historical version names a signer and key that the signer's party record held then."
)
HISTORIC_VERSION_UNREADABLE = _rule(
    "HIST-VAL005", "Every historical version of a record file can be read as a record.", _W
)
COMMIT_TIME_BACKWARDS = _rule(
    "HIST-VAL006",
    "Commit times on the first-parent line of main never go backwards (a direct push with invented dates).",
    _W,
)
COMMIT_TIME_IN_FUTURE = _rule(
    "HIST-VAL007",
    "No commit on the first-parent line of main is dated after the time of the audit (5 minutes of skew allowed).",
    _W,
)

# Trust: signatures (fmar verify, fmar check)
SIGNATURE_INCOMPLETE = _rule(
    "SIG-VAL001",
    "A record carries a complete signature block: signer, key fingerprint, signed-at, registry and value.",
)
UNKNOWN_SIGNER = _rule("SIG-VAL002", "The signer is a party of the registry.")
KEY_NOT_PUBLISHED = _rule("SIG-VAL003", "The signing key is one of the keys the signer publishes.")
KEY_NOT_YET_VALID = _rule("SIG-VAL004", "The signing key was valid (past its valid_from) when the record was signed.")
KEY_EXPIRED = _rule(
    "SIG-VAL005", "The signing key had not expired (before its valid_until) when the record was signed."
)
KEY_REVOKED = _rule(
    "SIG-VAL006",
    "A revoked key signs nothing at or after its revocation, and nothing new once revoked at the time of the check.",
)
SIGNATURE_INVALID = _rule(
    "SIG-VAL007", "The signature verifies over the record's canonical form (nothing changed after signing)."
)
SIGNATURE_MALFORMED = _rule("SIG-VAL008", "The signature value is a complete, well-formed SSHSIG signature.")
SIGNATURE_KEY_MISMATCH = _rule("SIG-VAL009", "The signature was made with the key that key_fingerprint names.")
WRONG_SIGNATURE_NAMESPACE = _rule("SIG-VAL010", "The signature was made for the registry's namespace fmar-record-v1.")
KEY_ALGORITHM_NOT_ALLOWED = _rule("SIG-VAL011", "Records are signed with ed25519 or ecdsa-p256 keys only.")
SIGNED_IN_FUTURE = _rule(
    "SIG-VAL012", "A record is not signed later than the time of the check (no signing time in the future)."
)
SIGNATURE_BACKDATED = _rule(
    "SIG-VAL013", "A record is checked within 30 days of being signed (no backdated signing time)."
)
SIGNED_FILE_TEXT = _rule("SIG-VAL014", "The signature covers the record's canonical form, not the text of its file.")
SIGNATURE_COPIED = _rule("SIG-VAL015", "A signature is never copied from another record.")
SIGNED_FOR_OTHER_REGISTRY = _rule(
    "SIG-VAL016",
    "A record is signed for this registry: its signature names the identity of registry-trust.yaml, "
    "not a staging copy's or a fork's.",
)

# Trust: who may write what (fmar check)
REFERENCE_DATA_NOT_BY_OPERATOR = _rule(
    "AUTH-VAL001",
    "Parties, keys and the process toolkit (blocks, data objects, versions) are signed by the registry operator.",
)
PRODUCT_NOT_BY_OWNER = _rule(
    "AUTH-VAL002", "A product is signed by the system operator that owns it, or by the registry operator."
)
FSP_RECORD_NOT_BY_OWNER = _rule(
    "AUTH-VAL003", "Units, applications, withdrawals and supplied information are signed by the owning FSP."
)
SO_RECORD_NOT_BY_SO = _rule(
    "AUTH-VAL004", "Outcomes and SO events (information requests, suspensions...) are signed by the product's SO."
)
SELF_GRANTED_AUTHORITY = _rule(
    "AUTH-VAL005", "A change never uses authority (roles, licence areas, ownership) that it grants itself."
)
SIGNED_WITH_KEY_IT_ADDS = _rule("AUTH-VAL006", "A change is never signed with a key that the same change adds.")
ANCHOR_CHANGE_NOT_BY_OPERATOR = _rule(
    "AUTH-VAL007", "The pinned operator keys change only by a signature of a current operator key."
)
ANCHOR_KEYS_MISMATCH = _rule(
    "AUTH-VAL008", "The registry operator's party record publishes exactly the pinned operator keys."
)
IMPORT_NOT_BY_OPERATOR = _rule(
    "AUTH-VAL009", "An import attestation (original recorded times of an earlier register) is signed by the operator."
)
PRACTICE_NOT_BY_SO = _rule(
    "AUTH-VAL010", "An SO's practice of a building block is signed by that system operator, and only by it."
)

# Trust: the pull-request gate (fmar check)
APPEND_ONLY_MODIFIED = _rule(
    "GATE-VAL001",
    "Merged applications, outcomes, events and import attestations are never modified: correct them with a new record.",
)
APPEND_ONLY_DELETED = _rule(
    "GATE-VAL002", "Merged applications, outcomes, events and import attestations are never deleted."
)
RECORD_RENAMED = _rule("GATE-VAL003", "Records are never renamed or moved.")
ID_REUSED = _rule("GATE-VAL004", "A record id is never reused, even after its record was deleted.")
DATA_MIXED_WITH_CODE = _rule(
    "GATE-VAL005", "A change of registry data changes no code, schema or workflow (maintainers split them)."
)
RECORD_OUTSIDE_REGISTRY = _rule("GATE-VAL006", "Record files live only under registry/<kind>/.")
REFERENCE_RECORD_DELETED = _rule(
    "GATE-VAL007", "Parties, products, units and the catalogue are never deleted: revoke or update them instead."
)
FILE_TYPE_CHANGED = _rule(
    "GATE-VAL008", "A merged registry file keeps its type: never made a link, a submodule or an executable."
)
GOVERNANCE_MIXED_WITH_DATA = _rule(
    "GATE-VAL009",
    "A change of registry data changes no governance file (audit trail, trust anchor, CODEOWNERS, workflows, "
    "CI, scripts, packaging, lock files): the registry operator approves those apart.",
)
MERGED_FILE_CHANGED = _rule(
    "GATE-VAL010",
    "A merged application, outcome, event or import attestation file never changes, byte for byte (no comment, no "
    "re-formatting).",
)
COMMENT_IN_RECORD = _rule(
    "GATE-VAL011", "A record file holds no YAML comments: they are outside the signature, so nobody vouches for them."
)
STATED_TIME_AFTER_SIGNING = _rule(
    "GATE-VAL012",
    "A record states nothing as already happened later than it was signed: an event's effective_at and an "
    "outcome's decided_at are no later than its signed_at (5 minutes of clock skew allowed).",
)
BEFORE_REFERENCED_RECORD = _rule(
    "GATE-VAL013",
    "A record is signed no earlier than the records it refers to (its application, the record it corrects), "
    "and a qualification's validity starts no earlier than its application was signed.",
)
DEADLINE_ALREADY_PASSED = _rule(
    "GATE-VAL014", "An information request's respond_by deadline is still ahead at the time of the check."
)
SIGNATURE_WITHDRAWN = _rule(
    "GATE-VAL015",
    "A signature withdrawn by closing its pull request unmerged is never accepted again "
    "(audit/withdrawn-signatures.txt of the base branch): the signer signs anew.",
)
LAYOUT_MIGRATION_MIXED = _rule(
    "GATE-VAL016",
    "A change that moves records to the registry's layout moves each, bytes unchanged, from its path in the "
    "first (flat) layout to its own path, and does nothing else.",
)
LAYOUT_MIGRATION_NOT_BY_OPERATOR = _rule(
    "GATE-VAL017",
    "A change that moves records to the registry's layout is the registry operator's: every commit of it is "
    "signed with a key of the operator's party record on the base branch.",
)
ATTESTATION_FOR_MERGED_RECORD = _rule(
    "GATE-VAL018",
    "An import attestation comes with the records it names: each is added by the same change, never already "
    "in the base branch.",
)

#: Code -> rule, in the order of the catalogue.
RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
