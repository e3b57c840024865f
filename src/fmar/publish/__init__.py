"""Publishing: the JSON/CSV/Atom exports and the static site, generated from the registry."""
