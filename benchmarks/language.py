"""Language detection on the real texts of ``../shared/data``: the English function-word test against py3langid.

For every text (places, events, article pages, headlines; title and body as the enrichment reads them), in each
half by document (``benchmarks.enrichment.half``): how often the function-word test calls it English, and what
py3langid (``MAX_CHARS`` opening, ``MIN_CONFIDENCE``) says of those texts; and, over all texts, the detector's
code against py3langid's alone (``None`` when too short or unsure). The corpora are English news but for 8 of the
60 article pages, so a call of English that py3langid does not share is checked by its code: ``None`` and ``pcm``
(Nigerian Pidgin) on an English corpus are py3langid's misses. With spaCy installed (the ``ner`` extra), also
the function words found in each of spaCy's other languages' example sentences (``spacy.lang.<code>.examples``),
joined and cut as an article's opening is: the test must call none of them English.

Run: ``.venv/bin/python -m benchmarks.language`` (writes ``benchmarks/results/language.json``).
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from pathlib import Path

from benchmarks.enrichment import DATA, half

RESULTS = Path(__file__).resolve().parent / "results" / "language.json"


def texts() -> list[tuple[str, str, str]]:
    """(corpus, document id, title + newline + text) of every real text."""
    out = []
    for name in ("geovirus", "lgl", "trnews"):
        with (DATA / "places" / f"{name}-dev.jsonl").open() as handle:
            for line in handle:
                record = json.loads(line)
                out.append((name, str(record["id"]), f"{record['title'] or ''}\n{record['text']}"))
    for name in ("gvc", "ecbplus"):
        with (DATA / "events" / f"{name}-dev.jsonl").open() as handle:
            for index, line in enumerate(handle):
                record = json.loads(line)
                out.append((name, f"{name}-{index}", f"{record['title'] or ''}\n{record['text'] or ''}"))
    truth = json.loads((DATA / "articles" / "ground-truth.json").read_text())
    out.extend(("articles", key, f"\n{value['articleBody']}") for key, value in sorted(truth.items()))
    with (DATA / "headlines" / "uci-news-aggregator-dev.csv").open(newline="") as handle:
        out.extend(("uci", row["ID"], f"{row['TITLE']}\n") for row in csv.DictReader(handle))
    return out


def py3langid_code(text: str) -> str | None:
    """py3langid's answer as the detector used it alone."""
    from pipeline.enrich import language

    opening = text[: language.MAX_CHARS]
    if not language._ENOUGH_LETTERS.match(opening):
        return None
    code, probability = language._identifier().classify(opening)
    return code if probability >= language.MIN_CONFIDENCE else None


def spacy_examples() -> dict[str, str]:
    """Language code -> spaCy's example sentences of that language, joined (empty without spaCy)."""
    import importlib
    import pkgutil

    try:
        import spacy.lang
    except ImportError:
        return {}
    out = {}
    for module in pkgutil.iter_modules(spacy.lang.__path__):
        if module.name == "en" or not module.ispkg:
            continue
        try:
            examples = importlib.import_module(f"spacy.lang.{module.name}.examples")
        except ImportError:
            continue
        out[module.name] = " ".join(examples.sentences)
    return out


def main() -> dict:
    from pipeline.enrich.language import (
        _ASCII_WORD,
        FUNCTION_CHARS,
        FUNCTION_WORDS,
        detect_language,
        load_model,
        reads_english,
    )

    load_model()
    results: dict = {}
    rows = [(corpus, half(doc_id), text) for corpus, doc_id, text in texts()]
    for h in ("A", "B"):
        table: dict = {}
        for corpus in dict.fromkeys(c for c, _, _ in rows):
            items = [text for c, hh, text in rows if c == corpus and hh == h]
            called = [text for text in items if reads_english(text)]
            table[corpus] = {
                "texts": len(items),
                "called_english": len(called),
                "py3langid_on_those": dict(Counter(str(py3langid_code(t)) for t in called)),
                "detector_vs_py3langid_differ": sum(
                    (d.code if (d := detect_language(t)) else None) != py3langid_code(t) for t in items
                ),
            }
        results[f"half_{h}"] = table
    examples = spacy_examples()
    hits = {
        code: sum(w in FUNCTION_WORDS for w in _ASCII_WORD.findall(text[:FUNCTION_CHARS].lower()))
        for code, text in examples.items()
    }
    results["spacy_examples"] = {
        "languages": len(examples),
        "called_english": sorted(code for code, text in examples.items() if reads_english(text)),
        "most_function_words": max(hits.values(), default=0),
    }
    sample = [text for _, _, text in rows]
    started = time.process_time()
    for text in sample:
        reads_english(text)
    test_us = 1e6 * (time.process_time() - started) / len(sample)
    started = time.process_time()
    for text in sample:
        py3langid_code(text)
    results["cpu_us_per_text"] = {
        "function_word_test": round(test_us, 1),
        "py3langid": round(1e6 * (time.process_time() - started) / len(sample), 1),
    }
    for h in ("A", "B"):
        print(f"half {h}")
        for corpus, row in results[f"half_{h}"].items():
            print(
                f"  {corpus:<9} {row['called_english']:>5}/{row['texts']:<5} called English; py3langid on those "
                f"{row['py3langid_on_those']}; detector != py3langid: {row['detector_vs_py3langid_differ']}"
            )
    print(f"spaCy's example sentences: {results['spacy_examples']}")
    print(f"CPU per text (µs): {results['cpu_us_per_text']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
