"""Loading: registry files into records by the strict YAML reader, with the position of every finding.

A fast reader serves the files the strict one would read alike; the strict one decides the rest.
"""
