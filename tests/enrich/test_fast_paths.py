"""The enrichers' fast paths give what their plain forms give, on real news (``../shared/data``) and on texts made
to reach the paths' edges: figures' ASCII readers and the patterns, the sentences figures skip and the pattern,
keywords and a plain count-and-sort, the scan's two engines and the tokenizer, the words before a name read forwards
in ASCII text, places' support test and the whole sum, ``reads_ascii`` and the ASCII fold and their plain forms,
actors' language gate and the function words read first, the sentence break read from its punctuation and as a
lookbehind, the figures' numbers and the event type's cue words read after a character and behind a lookbehind,
actors' memoised pieces and a fresh reading, the row builders and plain field reads."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib.resources import files
from itertools import islice

import pytest

from pipeline.enrich import actors, eventtype, figures, gazetteer, keywords, mentions, places, scan
from pipeline.enrich.enrich import RENAMED, article_rows, enrich_article, event_facts, event_rows, merge_event
from pipeline.enrich.language import Language, detect_language, reads_english
from pipeline.enrich.mentions import fold, plain_fold, reads_ascii, sentence_spans, split_sentences
from pipeline.ids import row_key
from pipeline.text import capitalised_phrases, is_title_case
from schemas.enrichment import ENRICHMENT_TABLES
from schemas.generate import primary_key
from tests.conftest import shared_data

DOCUMENTS = 60
"""Real documents read from each corpus (each test stays within a few seconds)."""


def _documents() -> list[dict]:
    """The first ``DOCUMENTS`` reports of each place corpus and of GVC (title, text, url, event)."""
    found = []
    for name in ("geovirus", "lgl", "trnews"):
        with shared_data("places", f"{name}-dev.jsonl").open() as handle:
            found += [{**json.loads(line), "event": None} for line in islice(handle, DOCUMENTS)]
    with shared_data("events", "gvc-dev.jsonl").open() as handle:
        found += [{**json.loads(line), "source": None} for line in islice(handle, DOCUMENTS)]
    return found


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return _documents()


@pytest.fixture(scope="module")
def sentences(documents) -> list[str]:
    out = []
    for document in documents:
        out.append(document["title"] or "")
        out.extend(split_sentences(document["text"] or ""))
    return out


EDGES = [
    "In Jan. 5 people died; in January 2,000 fled, on Sept 3 and dec. 4 more, after Mayor 12 and Jane 7.",
    "About 40 were hurt, nearly 300 more than 12 and at least 5,000 up to 70; More Than 9 left, some 8.",
    "Police said Mon 3 (jun 14) and JUL 9, 'may 2' and Maybe 3, Janet 4, X-Jan 5 and x_jan 6 were counted.",
    "Some\u200d Jan 5 and Jan\u0301 6 and over\u00a0 7 and almost\t8 and approximately   9 people were counted.",
    "The U.S. Army's Col. John Smith met al-Sisi and Ash-Sharif in São Paulo's Bank of England office.",
    "Dr. Ana Pérez of the Ministry of Health told Reuters; the WHO and U.N. agreed.",
    "Breaking News From The White House Today",
    "\x1cSeparated Names Here and There",
]
"""Texts at the fast paths' edges: months and qualifiers in every case and spacing, joiners, combining marks,
non-ASCII letters and spaces, possessives, particles, initials, a title-case line, a separator character."""


def _prefixes(sentence: str) -> list[str]:
    """Every prefix of a sentence that ends in white space, as the figures' readers see the text before a number."""
    return [sentence[:i] for i in range(1, len(sentence) + 1) if sentence[i - 1].isspace()]


def test_figures_ascii_readers_read_what_the_patterns_read(sentences):
    checked = 0
    for sentence in [*sentences, *EDGES]:
        for before in _prefixes(sentence):
            if not reads_ascii(before):
                continue
            assert figures._after_month(before) == bool(figures._MONTH_BEFORE.search(before)), before
            assert figures._plain_qualifier(before) == figures._qualifier(before), before
            checked += 1
    assert checked > 10_000


def test_figures_of_ascii_texts_are_those_of_the_unicode_patterns(documents, monkeypatch):
    texts = [document["text"] for document in documents] + EDGES
    fast = [figures.extract_figures(text) for text in texts]
    monkeypatch.setattr(figures, "reads_ascii", lambda text: False)
    assert [figures.extract_figures(text) for text in texts] == fast
    assert sum(map(len, fast)) > 50


def test_sentences_skipped_for_figures_hold_no_number_the_pattern_finds(sentences):
    texts = [*sentences, *EDGES, "TWENTY-ONE Dozen FOURTEEN", "Thirteen\u0130 fİve", "No 5\u0660 here", "Ten"]
    skipped = [text for text in texts if not figures._may_count(text)]
    assert not [text for text in skipped if figures._ASCII_NUMBER.search(" " + text)]
    assert len(skipped) > len(texts) / 3 and len(skipped) < len(texts) - 500


def _plain_keywords(documents: list[tuple[str, str | None]], limit: int) -> list[str]:
    """``keywords.keywords`` without its shortcuts: every word read by the Unicode pattern, every key sorted."""
    counts: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for title, text in documents:
        for part, weight in ((title or "", keywords.HEADLINE_WEIGHT), (text or "", 1)):
            found = keywords._WORD.findall(part.lower().replace("’", "'"))
            words = [keywords._kept(word) for word in found]
            for word in set(words) if weight == keywords.HEADLINE_WEIGHT else words:
                if word:
                    counts[word] += weight
            for pair in zip(words, words[1:], strict=False):
                pairs[pair] += weight
    ranked = [(-count, key) for key, count in counts.items()]
    ranked += [
        (-count * 1.5, f"{left} {right}")
        for (left, right), count in pairs.items()
        if count >= keywords.MIN_PHRASE_COUNT * 2 and left and right and left != right
    ]
    chosen: list[str] = []
    for _, key in sorted(ranked):
        if not any(key in phrase.split() or phrase in key.split() for phrase in chosen if " " in phrase or " " in key):
            chosen.append(key)
    return chosen[:limit]


def test_keywords_are_those_of_a_plain_count_and_sort(documents):
    items = [(document["title"] or "", document["text"]) for document in documents] + [("", text) for text in EDGES]
    for item in items:
        assert keywords.keywords([item], limit=15) == _plain_keywords([item], 15), item[0]
    events: dict[str, list] = {}
    for document in documents:
        if document["event"] is not None:
            events.setdefault(document["event"], []).append((document["title"] or "", document["text"]))
    for group in events.values():
        assert keywords.keywords(group, limit=10) == _plain_keywords(group, 10)


def test_the_scan_engines_and_the_tokenizer_find_the_same_runs(sentences, monkeypatch):
    scanned = {sentence: scan.scan_sentence.__wrapped__(sentence) for sentence in [*sentences, *EDGES]}
    assert sum(scan._reads_alike(sentence) for sentence in scanned) > len(scanned) * 0.9  # the fast engine's texts
    for sentence in sentences:  # (the tokenizer's ``re`` reads a joiner or a combining mark apart: real text only)
        found, phrases = scanned[sentence], capitalised_phrases(sentence, 0)
        assert [run.words for run in found.runs] == [phrase.tokens for phrase in phrases], sentence
        assert [run.possessive for run in found.runs] == [phrase.possessive for phrase in phrases], sentence
        assert found.title_case == is_title_case(sentence), sentence
    monkeypatch.setattr(scan, "_reads_alike", lambda sentence: False)  # every sentence through the regex module
    assert {sentence: scan.scan_sentence.__wrapped__(sentence) for sentence in scanned} == scanned


def test_the_words_before_a_name_are_those_the_regex_module_reads_backwards(sentences):
    checked = 0
    for sentence in [*sentences, *EDGES, "U.S.-led a--b 'x' .5 @foo&bar", "ab- -ab a-b-c.d'e&f@g _a_ b__c"]:
        if not sentence.isascii():
            continue  # the fast path's texts
        for position in range(len(sentence) + 1):
            backwards = scan._TOKEN_BACKWARDS.finditer(sentence, 0, position)
            assert list(scan.words_before(sentence, position)) == [word.group().lower() for word in backwards]
            checked += 1
    assert checked > 100_000


def test_reads_ascii_of_an_ascii_text_is_the_plain_reading(documents):
    def plain(text: str) -> bool:
        return not any(char.isalnum() or char.isspace() for char in set(mentions._UNLIKE_ASCII.findall(text)))

    texts = [document[field] or "" for document in documents for field in ("title", "text")] + EDGES
    texts += [f"a{chr(code)}b" for code in range(128)] + [text.lower() for text in texts]
    assert [reads_ascii(text) for text in texts] == [plain(text) for text in texts]
    assert sum(text.isascii() for text in texts) > 200 and not reads_ascii("a\x1cb")


def test_the_ascii_fold_is_the_plain_fold(sentences):
    words = {word for sentence in [*sentences, *EDGES] for word in sentence.split()}
    texts = [*words, *sentences, *map(chr, range(128)), "".join(map(chr, range(128))), "A_b--C\x1c.D'e \x1f F"]
    ascii_texts = [text for text in texts if text.isascii()]
    assert len(ascii_texts) > 5_000
    assert [fold.__wrapped__(text) for text in ascii_texts] == [plain_fold(text) for text in ascii_texts]


_LOOKBEHIND_BREAK = re.compile(r"(?<=[.!?])([\"”’)]?\s+)(?=[\"“‘(]?[A-Z0-9])")
"""The sentence break as a lookbehind (its group the whole match): what ``mentions._breaks``'s group finds."""


def test_sentence_breaks_are_those_of_the_lookbehind_pattern(documents, monkeypatch):
    texts = [document["text"] or "" for document in documents] + EDGES + ['He left. "Then (A.) 5. B? ”C! ) D.\x1cE']
    lines = [line for text in texts for line in text.splitlines()]
    breaks = [[match.span(1) for match in mentions._breaks(line)] for line in lines]
    assert breaks == [[match.span() for match in _LOOKBEHIND_BREAK.finditer(line)] for line in lines]
    assert sum(map(len, breaks)) > 1_000
    fast = [sentence_spans(text) for text in texts]
    monkeypatch.setattr(mentions, "_SENTENCE_BREAK", _LOOKBEHIND_BREAK)
    assert [sentence_spans(text) for text in texts] == fast


def _opened_by_lookbehind(pattern: re.Pattern, opening: str, lookbehind: str) -> re.Pattern:
    """A pattern that opens with a character class (``opening``, then a group) as it was written before: the group
    alone behind a lookbehind."""
    assert pattern.pattern.startswith(opening + "(")
    return re.compile(lookbehind + pattern.pattern[len(opening) :], pattern.flags)


def test_numbers_are_those_of_the_lookbehind_pattern(sentences):
    texts = [*sentences, *EDGES, "5 died", "$5 and 5% and 5.5.5 and -5 and x5 and £5 died", "Two, 3,000 and 2 million"]
    found = 0
    for pattern in (figures._NUMBER, figures._ASCII_NUMBER):
        slow = _opened_by_lookbehind(pattern, r"[^\w$€£.,/-]", r"(?<![\w$€£.,/-])")
        for text in texts:
            fast = [(m.span("quantity"), m.group("number", "scale")) for m in pattern.finditer(" " + text)]
            plain = [((m.start() + 1, m.end() + 1), m.group("number", "scale")) for m in slow.finditer(text)]
            assert fast == plain, text
            found += len(fast)
    assert found > 1_000


def test_cue_words_are_those_of_the_lookbehind_pattern(documents):
    texts = [f"{d['title'] or ''}\n{d['text'] or ''}".lower() for d in documents] + [e.lower() for e in EDGES]
    texts += ["talks", "talks-talks ktalks 3talks", "air strike and air strikes, pull out"]
    for vocabulary in (eventtype._CUES, eventtype._DOMAINS, eventtype._HAZARDS):
        slow = _opened_by_lookbehind(vocabulary._candidates, "[^a-z]", "(?<![a-z])")
        for text in texts:
            fast = [(m.start(1) - 1, m.end(1) - 1) for m in vocabulary._candidates.finditer(" " + text)]
            assert fast == [m.span(1) for m in slow.finditer(text)], text[:80]
    assert sum(1 for text in texts for _ in eventtype._CUES.matches(text)) > 1_000


def test_memoised_pieces_are_those_of_a_fresh_reading(documents, monkeypatch):
    def read() -> list:
        actors._actors_of.cache_clear()  # its memo would answer without asking for the pieces
        return [actors.extract_actors(document["title"] or "", document["text"]) for document in documents]

    actors._pieces.cache_clear()
    memoised = read()
    assert read() == memoised  # the second time from the memo's lists: no caller changed one
    assert actors._pieces.cache_info().hits > 1_000
    monkeypatch.setattr(actors, "_pieces", actors._pieces.__wrapped__)
    assert read() == memoised
    assert sum(map(len, memoised)) > 1_000


FOREIGN = [
    ("Incendio en Utiel", "En Utiel, el alcalde Juan Pérez dijo que los bomberos de la Generalitat llegaron tarde."),
    ("Feu à Lyon", "Le maire de Lyon, Grégory Doucet, a dit que les pompiers de la ville sont arrivés vite."),
    ("Short", "Jane Smith, CEO of Acme Corp."),
]
"""Texts whose function words are not English enough: two of other languages, one too short to tell."""


def test_actors_gate_on_the_given_language_as_on_the_function_words(documents):
    def plain(title: str, text: str | None, body: list[str], language: Language | None) -> list:
        """The gate as it read before: the function words first, then the language."""
        if text and not reads_english(text) and language is not None and language.code != "en":
            return []
        return actors.extract_actors(title, text, body, Language("en", 1.0))

    items = [(document["title"] or "", document["text"]) for document in documents] + FOREIGN
    unread = 0
    for title, text in items:
        body, language = split_sentences(text or ""), detect_language(f"{title}\n{text or ''}")
        assert actors.extract_actors(title, text, body, language) == plain(title, text, body, language), title
        unread += bool(text) and not reads_english(text)
    assert unread >= len(FOREIGN)


def test_places_support_test_skips_only_sums_of_nothing(documents, monkeypatch):
    support = places._support
    found = []

    def checked(place, key, neighbours, own=None):
        given = support(place, key, neighbours, own)
        cell, region, total = places._cell(place), place.region, 0
        for other, (cells, states, points) in neighbours.areas.items():
            if other != key and cell is not None:
                if cell in cells:
                    total += 1.0 if places._within_close(place, points) else places.NEIGHBOUR_SUPPORT
                elif region in states:
                    total += places.STATE_SUPPORT
        assert given == total, (place, key)
        found.append(given)
        return given

    monkeypatch.setattr(places, "_support", checked)
    for document in documents:
        places.extract_locations(document["title"] or "", document["text"], document.get("source"))
    assert len(found) > 500 and any(found) and not all(found)


def _plain_row(table: str, sources: tuple, given: dict) -> dict:
    """A row read field by field: the given values, else the first source's same-named attribute (``RENAMED``),
    else the field's default."""
    row = dict(given)
    for name, info in ENRICHMENT_TABLES[table].model_fields.items():
        if name in row:
            continue
        attribute = RENAMED.get(name, name)
        source = next((source for source in sources if hasattr(source, attribute)), None)
        row[name] = getattr(source, attribute) if source is not None else info.get_default(call_default_factory=True)
    return row


def test_rows_are_the_plain_field_reads_of_the_enrichment(documents):
    events: dict[str, dict] = {}
    for number, document in enumerate(documents):
        article_id = f"a{number}"
        enrichment = enrich_article(document["title"] or "", document["text"], None, document.get("source"))
        rows = article_rows(article_id, enrichment)
        for table, sources, part in (
            ("article_actors", enrichment.actors, lambda i, actor: actor.actor_id),
            ("article_locations", enrichment.locations, lambda i, place: place.location_id),
            ("article_figures", enrichment.figures, lambda i, figure: str(i)),
        ):
            assert len(rows[table]) == len(sources)
            for position, (row, source) in enumerate(zip(rows[table], sources, strict=True)):
                given = {
                    primary_key(table): row_key(article_id, part(position, source)),
                    "article_id": article_id,
                    "position": position,
                }
                plain = ENRICHMENT_TABLES[table](**_plain_row(table, (source,), given))
                assert row.model_dump() == plain.model_dump()
        events.setdefault(document["event"] or article_id, {})[article_id] = enrichment
    checked = 0
    for event_id, members in events.items():
        event = merge_event(members)
        rows = event_rows(event_id, event)
        for table, found in event_facts(event).items():
            assert len(rows[table]) == len(found)
            for row, (sources, parts, values) in zip(rows[table], found, strict=True):
                given = {primary_key(table): row_key(event_id, *parts), "event_id": event_id, **values}
                assert row._asdict() == _plain_row(table, sources, given)
                checked += 1
    assert checked > 500


def _english_given_name(dictionary: str, word: str) -> bool:
    """The per-word reader the table replaced: the word's own lines of gender-guesser's dictionary (the name alone
    in columns 4-29, no comment, equivalence or duplicate spelling), a frequency of at least
    ``ENGLISH_NAME_FREQUENCY`` in Great Britain, Ireland or the US (columns 31-33)."""
    key, position = f" {word} ", 0
    while (found := dictionary.find(key, position)) >= 0:
        position = found + 1
        start = dictionary.rfind("\n", 0, found) + 1
        line = dictionary[start : dictionary.find("\n", found)]
        if found - start != 2 or line[0] in "#=" or line[29:30] == "+" or line[3 + len(word) : 29].strip():
            continue
        if any(c != " " and int(c, 16) >= gazetteer.ENGLISH_NAME_FREQUENCY for c in line[30:33]):
            return True
    return False


def test_the_english_given_name_table_holds_what_the_dictionary_lines_say():
    dictionary = files("gender_guesser").joinpath("data", "nam_dict.txt").read_text(encoding="utf-8")
    lines = dictionary.split("\n")
    # a fortieth of the dictionary (the reader looks a word up in the whole text) and lines at the rules' edges
    sample = "\n".join(
        [
            *lines[:400:40],
            *lines[400::40],
            "M  Michael                    7A7                                         $",
            "M  Michaels                   6 6                                         $",
            "M  Duplic                    +D D                                         $",
            "?  Anna Maria                 8 8                                         $",
            "=  Anna                       8 8                                         $",
            "# Comment                     8 8                                         $",
            "F  Cy                          7                                          $",
        ]
    )
    table = gazetteer._build_english_given_names(sample)
    words = {token for token in sample.split() if token.isalpha()}
    words |= {word.lower() for word in words} | {"Anna Maria", "Maria", "Anna"}
    assert {word for word in words if _english_given_name(sample, word)} == {word for word in words if word in table}
    assert {"Michael", "Cy", "Anna Maria"} <= table and not {"Michaels", "Duplic", "Anna", "Comment", "michael"} & table
    assert len(table) > 3
    assert gazetteer.is_english_given_name("Michael") and gazetteer.is_english_given_name("David")
    assert not any(map(gazetteer.is_english_given_name, ("Will", "Grant", "Hope", "michael")))
