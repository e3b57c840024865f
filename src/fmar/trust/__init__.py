"""Trust: who may write what, signatures against the keys in force, and the pull-request gate.

The gate judges a change by the rules and keys of its base branch, never by the change itself.
"""
