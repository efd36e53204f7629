"""Deduplication: exact copies, near-duplicate republications and event grouping."""
