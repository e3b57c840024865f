"""The pure core: records in, findings and statuses out, with no files, Git, network or processes.

The record models (the single source of truth for every schema), ids, the rule catalogue and
its checks, the lifecycle and status derivation, and the FSP and SO workflows. It may use
``fmar.signing`` (canonical form and signatures are computations on bytes) and nothing else of
fmar; every edge (loading, validation, writing, Git, history, trust, publish, the CLI) calls in.
"""
