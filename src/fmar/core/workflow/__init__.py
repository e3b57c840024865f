"""The FSP and SO workflows: pure logic over a ``Registry`` that the commands and CI call.

- ``drafting``: check a record against the whole registry before it is written.
- ``forms``: the fields of applications, outcomes and events the commands write.
- ``eligibility``: which products a unit may apply for (indicative).
- ``package``: the standard data package an SO receives for an application.
- ``service_levels``: SO targets, clocks on recorded times, inbox and statistics.
- ``notification``: who is told what when records are merged.
- ``codeowners``: the CODEOWNERS file generated from the party records.
"""
