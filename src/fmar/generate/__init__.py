"""Registries made by program: the bundled example registry and seeded synthetic ones of any size."""
