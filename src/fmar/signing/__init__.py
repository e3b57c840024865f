"""Signed records: canonical form (RFC 8785), SSHSIG signatures and OpenSSH keys."""
