"""Benchmarks for `publisher` (issue #5): a synthetic-corpus generator and a timing runner.

Not unit tests; nothing here runs in CI. See benchmarks/README.md.
"""
