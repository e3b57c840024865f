"""Every rule of the registry, with its stable code and one-line statement.

This is the single list that ``fmar rules``, the generated rule reference and the tests read.
A code is never reused for a different rule; a retired rule keeps its code out of use.
"""

from __future__ import annotations

from dataclasses import dataclass

from fmar.findings import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    statement: str
    severity: Severity = Severity.ERROR

    @property
    def area(self) -> str:
        return self.code.split("-", 1)[0]


_E, _W = Severity.ERROR, Severity.WARNING

_RULES: tuple[Rule, ...] = (
    # Files and layout
    Rule("REG-VAL001", "Every file under registry/ is a record at registry/<kind>/<id>.yaml."),
    Rule("REG-VAL002", "The folder of a record names a known record kind."),
    Rule("REG-VAL003", "Records are regular files, never symbolic links or other special files."),
    Rule("REG-VAL004", "A record's file name is a valid id of its kind followed by '.yaml'."),
    Rule("REG-VAL005", "The id inside a record equals its file name."),
    Rule("REG-VAL006", "The kind inside a record equals the folder it is in."),
    Rule("REG-VAL007", "A record file can be read."),
    # YAML
    Rule("YAML-VAL001", "A record file is UTF-8 text."),
    Rule("YAML-VAL002", "A record contains no NUL, control, zero-width or bidirectional formatting characters."),
    Rule("YAML-VAL003", "A record is well-formed YAML."),
    Rule("YAML-VAL004", "A mapping has no duplicate keys."),
    Rule("YAML-VAL005", "A record uses no anchors or aliases."),
    Rule("YAML-VAL006", "A record uses no merge keys ('<<')."),
    Rule("YAML-VAL007", "A record uses no tags."),
    Rule("YAML-VAL008", "A record file holds exactly one YAML document and no directives."),
    Rule("YAML-VAL009", "A record nests at most 16 levels deep."),
    Rule("YAML-VAL010", "A plain (unquoted) value means the same in YAML 1.1 and YAML 1.2."),
    Rule("YAML-VAL011", "A record file holds a mapping of fields."),
    Rule("YAML-VAL012", "Every key is text."),
    Rule("YAML-VAL013", "A record file is at most 64 KiB."),
    # Schema
    Rule("SCH-VAL001", "Every required field is present."),
    Rule("SCH-VAL002", "A record has no fields beyond its schema (so no personal data can be added)."),
    Rule("SCH-VAL003", "Every value has the type its schema gives."),
    Rule("SCH-VAL004", "Every value is one of those its schema allows."),
    Rule("SCH-VAL005", "Every value has the format its schema gives (ids, dates, keys, links)."),
    Rule("SCH-VAL006", "Every number, text and list is within the bounds its schema gives."),
    Rule("SCH-VAL007", "A record names a schema version this release of fmar reads."),
    # Privacy
    Rule("PRIV-VAL001", "Free text holds no MPAN or other long meter-like number."),
    Rule("PRIV-VAL002", "Free text holds no full UK postcode."),
    Rule("PRIV-VAL003", "Free text holds no e-mail address or telephone number."),
    # References
    Rule("REF-VAL001", "Every reference to another record resolves."),
    Rule("REF-VAL002", "A referenced party has the role the reference needs."),
    # Parties
    Rule("PTY-VAL001", "A DSO names the licence areas it operates; other parties name none."),
    Rule("PTY-VAL002", "Key ids are unique within a party and a public key belongs to one party only."),
    Rule("PTY-VAL003", "A key's validity window runs forward, and a revoked key says when and why."),
    Rule("PTY-VAL004", "The registry has exactly one registry operator and at most one NESO.", _W),
    # Products
    Rule("PRD-VAL001", "A product is owned by a system operator (a DSO or NESO)."),
    Rule("PRD-VAL002", "Product versions are numbered 1, 2, 3... with effective dates that increase."),
    Rule("PRD-VAL003", "An equivalence names another product, once."),
    Rule("PRD-VAL004", "A product id starts with its SO's id."),
    # Market Units
    Rule("MU-VAL001", "A Market Unit is owned by an FSP."),
    Rule("MU-VAL002", "A unit's GSP group is the one of its licence area."),
    Rule("MU-VAL003", "An SPU has exactly one accounting point; an SPG has two or more."),
    Rule("MU-VAL004", "An asset category appears once in a unit's composition."),
    Rule("MU-VAL005", "A unit's import and export capacities do not exceed the rated capacity of its assets."),
    Rule("MU-VAL006", "A unit's id names its FSP: MU-<FSP>-<serial>."),
    Rule("MU-VAL007", "A unit can import or export: not both capacities zero."),
    Rule("MU-VAL008", "A material change of a unit's composition puts its live qualifications into re-assessment.", _W),
    # Applications
    Rule("APP-VAL001", "An application is for a version of the product that exists."),
    Rule("APP-VAL002", "An application names the product's SO as the SO."),
    Rule("APP-VAL003", "A unit has at most one open application per product and SO."),
    Rule("APP-VAL004", "Capacity applied for is within what the unit can deliver (import plus export)."),
    Rule("APP-VAL005", "Capacity applied for fits the product: its direction, at or above its minimum."),
    Rule("APP-VAL006", "A unit applies to a DSO's product only inside that DSO's licence areas."),
    Rule("APP-VAL007", "An application is signed by the FSP that owns the unit."),
    Rule("APP-VAL008", "Declared capabilities meet the product version's requirements.", _W),
    Rule("APP-VAL009", "The composition applied with is the unit's composition when the application was made.", _W),
    # Outcomes
    Rule("OUT-VAL001", "An outcome is signed by the SO that owns the product applied for."),
    Rule("OUT-VAL002", "A qualification's validity starts before it ends."),
    Rule("OUT-VAL003", "A qualification's validity is no longer than the product version allows."),
    Rule(
        "OUT-VAL004", "A conditional qualification lists its conditions; a failure lists its reasons; others neither."
    ),
    Rule("OUT-VAL005", "Capacity qualified is within the capacity applied for, and a qualification grants some."),
    Rule("OUT-VAL006", "A failed outcome grants no validity and no capacity."),
    Rule("OUT-VAL007", "A correcting outcome supersedes an outcome of the same application."),
    # Events
    Rule("EVT-VAL001", "An event is signed by the party its type belongs to (the SO or the unit's FSP)."),
    Rule("EVT-VAL002", "Withdrawals, suspensions and revocations give a reason."),
    Rule("EVT-VAL003", "An information request gives a response deadline after its own time; other events give none."),
    Rule("EVT-VAL004", "A correcting event supersedes an event of the same application."),
    # Lifecycle
    Rule("LIFE-VAL001", "Each outcome and event is a transition the lifecycle allows from the state before it."),
    Rule("LIFE-VAL002", "Outcomes and events take effect no earlier than the application they answer."),
    Rule("LIFE-VAL003", "A record is superseded at most once."),
    # Process catalogue
    Rule("PROC-VAL001", "A building block's code starts with its phase's letter."),
    Rule("PROC-VAL002", "Every record kind names a building block of the catalogue, and the block names it back."),
    # Workflow commands (fmar unit, apply, decide...): refused before anything is written
    Rule("WF-VAL001", "A command signs with a key that its signer publishes, valid at the signing time."),
    Rule("WF-VAL002", "'unit add' creates a unit that does not exist yet; 'unit update' changes one that does."),
    Rule("WF-VAL003", "A command's input file is a YAML or JSON mapping of record fields."),
    # History (audit trail from Git)
    Rule(
        "HIST-VAL001",
        "Every published head is still a commit of the repository (no rewrite or force-push dropped it).",
    ),
    Rule("HIST-VAL002", "Every published head stays on the first-parent line of the main branch."),
    Rule("HIST-VAL003", "Every historical version of a record verifies against its signer's key at that commit."),
    Rule("HIST-VAL004", "Every historical version names a signer and key that the signer's party record held then."),
    Rule("HIST-VAL005", "Every historical version of a record file can be read as a record.", _W),
    # Trust: signatures (fmar verify, fmar check)
    Rule("SIG-VAL001", "A record carries a complete signature block: signer, key fingerprint, signed-at and value."),
    Rule("SIG-VAL002", "The signer is a party of the registry."),
    Rule("SIG-VAL003", "The signing key is one of the keys the signer publishes."),
    Rule("SIG-VAL004", "The signing key was valid (past its valid_from) when the record was signed."),
    Rule("SIG-VAL005", "The signing key had not expired (before its valid_until) when the record was signed."),
    Rule("SIG-VAL006", "A revoked key signs nothing at or after its revocation."),
    Rule("SIG-VAL007", "The signature verifies over the record's canonical form (nothing changed after signing)."),
    Rule("SIG-VAL008", "The signature value is a complete, well-formed SSHSIG signature."),
    Rule("SIG-VAL009", "The signature was made with the key that key_fingerprint names."),
    Rule("SIG-VAL010", "The signature was made for the registry's namespace fmar-record-v1."),
    Rule("SIG-VAL011", "Records are signed with ed25519 or ecdsa-p256 keys only."),
    Rule("SIG-VAL012", "A record is not signed later than it is recorded (no signing time in the future)."),
    Rule("SIG-VAL013", "A record is recorded within 30 days of being signed (no backdated signing time)."),
    Rule("SIG-VAL014", "The signature covers the record's canonical form, not the text of its file."),
    Rule("SIG-VAL015", "A signature is never copied from another record."),
    # Trust: who may write what (fmar check)
    Rule("AUTH-VAL001", "Parties, keys and the process catalogue are signed by the registry operator."),
    Rule("AUTH-VAL002", "A product is signed by the system operator that owns it, or by the registry operator."),
    Rule("AUTH-VAL003", "Units, applications, withdrawals and supplied information are signed by the owning FSP."),
    Rule(
        "AUTH-VAL004", "Outcomes and SO events (information requests, suspensions...) are signed by the product's SO."
    ),
    Rule("AUTH-VAL005", "A change never uses authority (roles, licence areas, ownership) that it grants itself."),
    Rule("AUTH-VAL006", "A change is never signed with a key that the same change adds."),
    Rule("AUTH-VAL007", "The pinned operator keys change only by a signature of a current operator key."),
    Rule("AUTH-VAL008", "The registry operator's party record publishes exactly the pinned operator keys."),
    # Trust: the pull-request gate (fmar check)
    Rule("GATE-VAL001", "Merged applications, outcomes and events are never modified: correct them with a new record."),
    Rule("GATE-VAL002", "Merged applications, outcomes and events are never deleted."),
    Rule("GATE-VAL003", "Records are never renamed or moved."),
    Rule("GATE-VAL004", "A record id is never reused, even after its record was deleted."),
    Rule("GATE-VAL005", "A change of registry data changes no code, schema or workflow (maintainers split them)."),
    Rule("GATE-VAL006", "Record files live only under registry/<kind>/."),
    Rule("GATE-VAL007", "Parties, products, units and the catalogue are never deleted: revoke or update them instead."),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}


def register(*rules: Rule) -> None:
    """Add rules from another layer (trust, history) to the one list; codes must be new."""
    for rule in rules:
        if rule.code in RULES:
            raise ValueError(f"rule code {rule.code} is already in use")
        RULES[rule.code] = rule


def rule(code: str) -> Rule:
    return RULES[code]
