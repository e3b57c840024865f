"""The audit trail from Git history: recorded times, versions of records, as-of queries and tamper checks.

Everything here comes from one walk over the first-parent line of the main branch
(``index.py``), cached by commit outside the repository so a new commit costs only its changes.
"""
