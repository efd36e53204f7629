"""Labelled near-duplicate corpus built from real article bodies, republished with syndication-style edits.

Source: the 60 human-checked article bodies of ``../shared/data/articles/ground-truth.json``. Every body is
kept as an original; each is republished once per edit type below (deterministic, fixed seed); unrelated
filler texts (words drawn from the same vocabulary, no passage copied) are added as extra negatives.

Edit types (``kept`` = share of the original's words still present):
- ``headline_dateline``: a new headline line and a "CITY (Agency) -" dateline;
- ``trim_tail`` / ``trim_head``: keep the first / last 50-90% of the words;
- ``boilerplate``: newsletter, "read more" and copyright paragraphs added around the text;
- ``reword``: synonym swaps of ~3% of the words and two sentences swapped;
- ``paragraph_drop``: one or two paragraphs removed (at least half of the text kept);
- ``combined``: headline + dateline, tail trim (keep 60-90%), boilerplate and rewording together;
- ``heavy``: trimmed to 20-45% of the text and reworded (reported separately; not in the >= 50% target).

Hard negatives, from the real reports of ``../shared/data/events/ecbplus-dev.jsonl`` (each report used once):
- ``shared_boilerplate``: pairs of reports of different topics, both ending (or starting) with the same block of
  real text taken from a third report, 30-50% of each document's length (as a site footer would);
- ``same_event``: pairs of different reports of one event that share no run of ``COPIED_RUN`` words (written
  independently; the corpus also holds syndicated copies of one report, which are copies, not negatives).

Use :func:`build_corpus` from other benchmarks and tests; run this module to print a summary:
``.venv/bin/python -m benchmarks.neardup_corpus``.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LOGGER = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared/data"
GROUND_TRUTH = DATA_DIR / "articles/ground-truth.json"
SEED = 20241123
FILLER_DOCS = 120
HEAVY = "heavy"
ECBPLUS = DATA_DIR / "events/ecbplus-dev.jsonl"
NEGATIVE_PAIRS = 60
COPIED_RUN = 8
MAX_SHARED_RUNS = 3
SHARED_BOILERPLATE = "shared_boilerplate"
SAME_EVENT = "same_event"
NEGATIVE_KINDS = (SHARED_BOILERPLATE, SAME_EVENT)

HEADLINES = [
    "What we know so far",
    "Officials respond as questions mount",
    "The story everyone is talking about",
    "Here is what happened",
    "Latest: details emerge",
    "Analysis: why it matters",
]
DATELINES = [
    "WASHINGTON (AP) -",
    "LONDON (Reuters) -",
    "PARIS (AFP) -",
    "NEW YORK (AP) -",
    "SYDNEY (Reuters) -",
    "BERLIN (dpa) -",
]
BOILERPLATE = [
    "Sign up for our newsletter to get the day's top stories delivered straight to your inbox every morning.",
    "Read more: our full coverage of this story and related reports is available on our website.",
    "Copyright 2019 The Associated Press. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed.",
    "Follow us on Twitter and Facebook for the latest updates. Share your thoughts in the comments below.",
    "This article originally appeared on a partner site and is republished here with permission.",
]
SYNONYMS = {
    "said": "stated",
    "says": "states",
    "told": "informed",
    "big": "large",
    "large": "big",
    "people": "individuals",
    "about": "around",
    "also": "additionally",
    "but": "however",
    "show": "indicate",
    "shows": "indicates",
    "help": "assist",
    "buy": "purchase",
    "start": "begin",
    "started": "began",
    "use": "utilize",
    "get": "obtain",
    "many": "numerous",
    "important": "significant",
    "new": "fresh",
    "most": "the majority of",
    "often": "frequently",
    "make": "create",
    "made": "created",
    "whole": "entire",
    "before": "prior to",
    "after": "following",
    "because": "since",
    "very": "extremely",
    "think": "believe",
    "like": "such as",
    "year": "twelve months",
    "week": "seven days",
    "now": "currently",
    "first": "initial",
}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Document:
    """One corpus text: ``cluster`` is the original it copies (its own id for originals and fillers)."""

    doc_id: str
    text: str
    cluster: str
    edit: str
    kept: float


@dataclass(frozen=True)
class Corpus:
    """Documents plus the labelled (original, copy) pairs."""

    documents: list[Document]

    @property
    def pairs(self) -> list[tuple[str, str, str, float]]:
        """``(original_id, copy_id, edit, kept)`` for every republished copy."""
        return [(doc.cluster, doc.doc_id, doc.edit, doc.kept) for doc in self.documents if doc.cluster != doc.doc_id]


def load_bodies(path: Path = GROUND_TRUTH) -> dict[str, str]:
    """Article id -> body text, in file order."""
    if not path.is_file():
        raise FileNotFoundError(f"ground truth not found at {path} (expected ../shared/data next to the repo)")
    return {key: value["articleBody"] for key, value in json.loads(path.read_text(encoding="utf-8")).items()}


def paragraphs_of(text: str) -> list[str]:
    """Non-empty paragraphs (lines) of a body."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def word_count(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def add_headline_dateline(text: str, rng: random.Random) -> str:
    """New headline line plus a wire dateline before the first paragraph."""
    return f"{rng.choice(HEADLINES)}\n\n{rng.choice(DATELINES)} {text}"


def trim_words(text: str, keep: float, from_head: bool) -> str:
    """Keep the first (or, with ``from_head``, the last) ``keep`` share of the words, paragraphs preserved."""
    lines = [line.split() for line in paragraphs_of(text)]
    total = sum(map(len, lines))
    budget = max(1, round(total * keep))
    if from_head:
        lines = [line[::-1] for line in reversed(lines)]
    kept_lines: list[list[str]] = []
    for line in lines:
        if budget <= 0:
            break
        kept_lines.append(line[:budget])
        budget -= len(line)
    if from_head:
        kept_lines = [line[::-1] for line in reversed(kept_lines)]
    return "\n\n".join(" ".join(line) for line in kept_lines)


def add_boilerplate(text: str, rng: random.Random) -> str:
    """One paragraph before and one or two after, as syndication sites add."""
    before, *after = rng.sample(BOILERPLATE, 3)
    return "\n\n".join([before, text, *after[: rng.randint(1, 2)]])


def reword(text: str, rng: random.Random, share: float = 0.03) -> str:
    """Swap ~``share`` of the words for synonyms and swap one pair of adjacent sentences in a paragraph."""
    paragraphs = paragraphs_of(text)
    words = [paragraph.split(" ") for paragraph in paragraphs]
    positions = [(p, w) for p, line in enumerate(words) for w, word in enumerate(line) if word.lower() in SYNONYMS]
    total = sum(map(len, words))
    for p, w in rng.sample(positions, min(len(positions), max(1, round(total * share)))):
        words[p][w] = SYNONYMS[words[p][w].lower()]
    paragraphs = [" ".join(line) for line in words]
    multi = [p for p, paragraph in enumerate(paragraphs) if len(SENTENCE_END.split(paragraph)) > 1]
    if multi:
        p = rng.choice(multi)
        sentences = SENTENCE_END.split(paragraphs[p])
        s = rng.randrange(len(sentences) - 1)
        sentences[s], sentences[s + 1] = sentences[s + 1], sentences[s]
        paragraphs[p] = " ".join(sentences)
    return "\n\n".join(paragraphs)


def drop_paragraphs(text: str, rng: random.Random) -> str:
    """Remove one or two paragraphs (not the first), keeping at least half of the words."""
    paragraphs = paragraphs_of(text)
    total = word_count(text)
    for _ in range(rng.randint(1, 2)):
        droppable = [p for p in range(1, len(paragraphs)) if total - word_count(paragraphs[p]) >= word_count(text) / 2]
        if not droppable:
            break
        total -= word_count(paragraphs.pop(rng.choice(droppable)))
    return "\n\n".join(paragraphs)


def kept_share(original: str, copy: str) -> float:
    """Share of the original's words (counted with multiplicity) still present in the copy."""
    source = Counter(original.lower().split())
    if not source:
        return 0.0
    return sum((source & Counter(copy.lower().split())).values()) / sum(source.values())


def edit_functions() -> dict[str, Callable[[str, random.Random], str]]:
    """Edit type -> function applying it to a body."""
    return {
        "headline_dateline": add_headline_dateline,
        "trim_tail": lambda text, rng: trim_words(text, rng.uniform(0.5, 0.9), from_head=False),
        "trim_head": lambda text, rng: trim_words(text, rng.uniform(0.5, 0.9), from_head=True),
        "boilerplate": add_boilerplate,
        "reword": reword,
        "paragraph_drop": drop_paragraphs,
        "combined": lambda text, rng: add_boilerplate(
            add_headline_dateline(reword(trim_words(text, rng.uniform(0.6, 0.9), False), rng), rng), rng
        ),
        HEAVY: lambda text, rng: reword(trim_words(text, rng.uniform(0.2, 0.45), rng.random() < 0.5), rng),
    }


def filler_text(vocabulary: list[str], rng: random.Random, words: int) -> str:
    """Unrelated text: words drawn from the corpus vocabulary, sentence-cased, no passage copied."""
    sentences = []
    while words > 0:
        length = min(words, rng.randint(8, 25))
        sentence = " ".join(rng.choice(vocabulary) for _ in range(length))
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        words -= length
    return " ".join(sentences)


def _runs(text: str) -> set[tuple[str, ...]]:
    words = [word.strip(".,;:!?\"'()").lower() for word in text.split()]
    return {tuple(words[i : i + COPIED_RUN]) for i in range(len(words) - COPIED_RUN + 1)}


def hard_negatives(rng: random.Random, pairs: int = NEGATIVE_PAIRS) -> list[Document]:
    """``shared_boilerplate`` and ``same_event`` negative pairs from ECB+ reports, each document its own cluster.

    A report is used only if it shares fewer than ``MAX_SHARED_RUNS`` runs of ``COPIED_RUN`` words with the reports
    used before (ECB+ holds syndicated copies of some reports, which would be true copies across the pairs).
    """
    reports = [json.loads(line) for line in ECBPLUS.open(encoding="utf-8")]
    reports = [report for report in reports if word_count(report["text"]) >= 120]
    runs = [_runs(report["text"]) for report in reports]
    order = list(range(len(reports)))
    rng.shuffle(order)
    seen: set[tuple[str, ...]] = set()

    def free(index: int) -> bool:
        return len(runs[index] & seen) < MAX_SHARED_RUNS

    def take(index: int) -> None:
        seen.update(runs[index])

    by_event: dict[str, list[int]] = {}
    for index in order:
        by_event.setdefault(reports[index]["event"], []).append(index)
    documents = []
    for event, members in sorted(by_event.items()):
        chosen = [index for index in members if free(index)][:2]
        if len(chosen) == 2 and not runs[chosen[0]] & runs[chosen[1]] and len(documents) < 2 * pairs:
            for side, index in zip("ab", chosen, strict=True):
                take(index)
                doc_id = f"e-{event}-{side}"
                documents.append(Document(doc_id, reports[index]["text"], doc_id, SAME_EVENT, 1.0))

    def topic(index: int) -> str:
        return reports[index]["event"].split("-")[1]

    def next_free(*avoid: str) -> int:
        index = next(i for i in order if topic(i) not in avoid and free(i))
        take(index)
        return index

    for number in range(pairs):
        block_source = next_free()
        left = next_free(topic(block_source))
        right = next_free(topic(block_source), topic(left))
        share = rng.uniform(0.3, 0.5)
        at_end = rng.random() < 0.5
        block_words = reports[block_source]["text"].split()
        for side, index in (("a", left), ("b", right)):
            own = reports[index]["text"].split()
            size = min(len(block_words), round(len(own) * share / (1 - share)))
            block = " ".join(block_words[:size])
            text = f"{' '.join(own)}\n\n{block}" if at_end else f"{block}\n\n{' '.join(own)}"
            doc_id = f"b{number:02d}-{side}"
            documents.append(Document(doc_id, text, doc_id, SHARED_BOILERPLATE, 1.0))
    return documents


def build_corpus(seed: int = SEED, filler_docs: int = FILLER_DOCS) -> Corpus:
    """Originals, one copy per edit type of each original, unrelated filler texts and hard negatives
    (deterministic)."""
    rng = random.Random(seed)
    bodies = load_bodies()
    documents = []
    for index, body in enumerate(bodies.values()):
        original_id = f"a{index:02d}"
        documents.append(Document(original_id, body, original_id, "original", 1.0))
        for edit, apply in edit_functions().items():
            copy = apply(body, rng)
            documents.append(Document(f"{original_id}-{edit}", copy, original_id, edit, kept_share(body, copy)))
    vocabulary = sorted({word.strip(".,;:!?\"'()").lower() for body in bodies.values() for word in body.split()})
    lengths = [word_count(body) for body in bodies.values()]
    for index in range(filler_docs):
        filler_id = f"f{index:03d}"
        text = filler_text(vocabulary, rng, rng.choice(lengths))
        documents.append(Document(filler_id, text, filler_id, "filler", 1.0))
    documents.extend(hard_negatives(rng))
    return Corpus(documents)


def main() -> None:
    """Print the corpus make-up."""
    corpus = build_corpus()
    by_edit: dict[str, list[float]] = {}
    for _, _, edit, kept in corpus.pairs:
        by_edit.setdefault(edit, []).append(kept)
    print(f"{len(corpus.documents)} documents, {len(corpus.pairs)} labelled copies")
    for edit, kept in by_edit.items():
        print(f"  {edit:18s} {len(kept):3d} copies, kept {min(kept):.2f}-{max(kept):.2f}")
    for kind in NEGATIVE_KINDS:
        print(f"  {kind:18s} {sum(doc.edit == kind for doc in corpus.documents) // 2:3d} negative pairs")


if __name__ == "__main__":
    main()
