"""Moved to ``benchmarks/events.py``; kept so older imports of its corpus helpers still work."""

from benchmarks.events import SAME_TOPIC_DIR, Item, same_topic_items, write_seed_jsonl

__all__ = ["SAME_TOPIC_DIR", "Item", "same_topic_items", "write_seed_jsonl"]
