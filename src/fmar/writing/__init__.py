"""Writing: records authored (envelope, signature, single-record checks) and written in the registry's house style."""
