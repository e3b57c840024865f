"""The checks: of one record (schema, privacy, references it can resolve alone) and of the whole registry.

Each finding names its rule from ``fmar.core.catalogue``, the one list of rules and their codes.
"""
