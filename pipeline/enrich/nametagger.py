"""A small learned reader for the capitalised names the actor rules leave unread: person, organisation or neither.

A multinomial logistic model over a name's shape (words, capitals, hyphens, particles, the last word's ending), what
the tables say of its words (given name, English word frequency, place, country, demonym) and the words around it
(the word before and after, a speech verb, the sentence's opening, how often the article repeats it). Fitted by
``benchmarks/enrichment_tagger.py`` on half A of the Groningen Meaning Bank names (``benchmarks/labels``); its
weights ship in ``name_tagger.json`` (read once per process, plain Python at run time: a dictionary look-up per
feature). ``pipeline.enrich.actors`` asks it only about runs its rules read as nothing.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

from pipeline.enrich import gazetteer
from pipeline.enrich.mentions import fold
from pipeline.enrich.scan import NAME_PARTICLES

WEIGHTS = Path(__file__).with_name("name_tagger.json")
CLASSES = ("none", "person", "organisation")
SPEECH_WORDS = frozenset({"said", "says", "told", "added", "announced", "warned", "reported", "reports", "stated"})
VERB_ENDINGS = ("ed", "es")
GROUP_WORDS = frozenset(
    {"arab", "arabs", "muslim", "muslims", "christian", "christians", "kurd", "kurds", "kurdish", "sunni", "sunnis"}
    | {"shiite", "shiites", "shia", "jew", "jews", "jewish", "hindu", "buddhist", "sikh", "catholic", "catholics"}
    | {"protestant", "islamist", "islamists", "islamic", "druze", "alawite", "copt", "copts", "serb", "serbs"}
)
"""Religions and peoples (``actors.GROUP_WORDS`` and a few more), a feature of their own."""


def _frequency_bin(word: str) -> str:
    """The English frequency of a word as a coarse bin: "0" (no English word) to "3" (frequent)."""
    zipf = gazetteer.word_frequency(word)
    return "0" if zipf == 0 else "1" if zipf < 3.5 else "2" if zipf < 4.5 else "3"


def _shape(word: str) -> str:
    """A word's shape: "Xx" (capitalised), "XX" (capitals), "X.X." (initials), "x-X" (particle), "Xx-Xx" (hyphen)."""
    if word.split("-", 1)[0] in NAME_PARTICLES:
        return "x-X"
    if "." in word:
        return "X."
    if "-" in word:
        return "Xx-Xx"
    if word.isupper():
        return "XX" if len(word) > 1 else "X"
    if any(char.isdigit() for char in word):
        return "X9"
    return "Xx"


def features(
    words: tuple[str, ...], previous: str, next_word: str, opens: bool, possessive: bool, article: str
) -> list[str]:
    """The features of a name: its ``words``, the lower-cased word before it (``previous``, "" if none) and after it
    (``next_word``), whether it opens its sentence, whether it is possessive, and the article it is read in."""
    first, last = words[0], words[-1]
    key = fold(" ".join(words))
    places = gazetteer.places().get(key)
    out = [
        "bias",
        f"words={min(len(words), 4)}",
        f"first_shape={_shape(first)}",
        f"last_shape={_shape(last)}",
        f"first_freq={_frequency_bin(first)}",
        f"last_freq={_frequency_bin(last)}",
        f"last_end={last[-2:].lower()}",
        f"last_end3={last[-3:].lower()}",
    ]
    lowered_words = [word.lower() for word in words]
    if any(char.isdigit() for char in key):
        out.append("digit")
    if "of" in lowered_words or "for" in lowered_words:
        out.append("inner_of")
    if any(word in GROUP_WORDS for word in lowered_words):
        out.append("group_word")
    if len(words) == 1 and first.isupper() and gazetteer.word_frequency(first) >= 4.0:
        out.append("shouted_word")
    if gazetteer.is_first_name(first):
        out.append("first_given")
    if len(words) > 1 and gazetteer.is_first_name(last):
        out.append("last_given")
    if gazetteer.word_frequency(last) >= 3.0 and last.isalpha():
        out.append(f"last_word={last.lower()}")
    if places:
        out.append(f"place={places[0].kind}")
    if key in gazetteer.country_names():
        out.append("country")
    if any(fold(word) in gazetteer.demonyms() for word in words):
        out.append("demonym")
    if opens:
        out.append("opens")
    if possessive:
        out.append("possessive")
    if previous:
        out.append(f"prev={previous}" if gazetteer.word_frequency(previous) >= 4.0 else "prev=rare")
    else:
        out.append("prev=none")
    lowered = next_word.lower()
    if lowered in SPEECH_WORDS:
        out.append("next=speech")
    elif not lowered:
        out.append("next=none")
    elif next_word[:1].isupper():
        out.append("next=capital")
    else:
        out.append(f"next={lowered}" if gazetteer.word_frequency(lowered) >= 4.5 else "next=word")
        if lowered.endswith(VERB_ENDINGS):
            out.append("next=verb_ending")
    repeats = article.count(last)
    out.append(f"repeats={min(repeats, 3)}")
    return out


@cache
def _model() -> tuple[dict[str, tuple[float, ...]], float]:
    """The fitted weights (feature -> one weight per class) and the probability a name's class needs."""
    model = json.loads(WEIGHTS.read_text())
    return {name: tuple(values) for name, values in model["weights"].items()}, model["threshold"]


def probabilities(names: list[str]) -> tuple[float, ...]:
    """The model's probability of each of ``CLASSES`` for a name with these features."""
    weights, _ = _model()
    scores = [0.0] * len(CLASSES)
    for name in names:
        values = weights.get(name)
        if values is not None:
            for index, value in enumerate(values):
                scores[index] += value
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return tuple(value / total for value in exps)


def read_name(
    words: tuple[str, ...], previous: str, next_word: str, opens: bool, possessive: bool, article: str
) -> str | None:
    """ "person", "organisation" or None (neither, or not sure enough) for a name the rules did not read."""
    _, threshold = _model()
    chances = probabilities(features(words, previous, next_word, opens, possessive, article))
    best = max(range(len(CLASSES)), key=chances.__getitem__)
    return CLASSES[best] if best and chances[best] >= threshold else None


def load() -> None:
    """Read the weights now (a worker's ``setup()``), not on the first name."""
    _model()
