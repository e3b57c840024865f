"""Validation: a whole registry loaded and checked in parallel, with a cache kept outside the repository."""
