"""Values pickled once to cross a Beam shuffle as bytes.

Beam's default coder encodes a dict, list or dataclass item by item (an article's counts, features or document
frequencies: 0.25-0.37 ms to encode and decode each, 28 us pickled) and pickles other objects inside its own
framing. On the in-process runner a grouped element is encoded by its stage, decoded and encoded again by the
runner's grouping, then decoded by the next stage: an ``Article`` was pickled twice and unpickled twice at each
of its four joins. Packed, it is pickled and unpickled once there; the runner copies bytes.
"""

from __future__ import annotations

import pickle

import apache_beam as beam


def pack(value) -> bytes:
    """``value`` pickled."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


unpack = pickle.loads
"""The value ``pack`` made."""


def packed_by_id(article) -> tuple[str, bytes]:
    """``(article ID, pack(article))``: an article keyed for a join."""
    return article.article_id, pack(article)


class KeyPackedById(beam.PTransform):
    """``Article``s -> ``(article ID, pack(article))``, to cross a join as bytes (``unpack`` them after)."""

    def expand(self, articles):
        return articles | "PackById" >> beam.Map(packed_by_id)
