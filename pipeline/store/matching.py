"""Cross-run deduplication: match a run's new articles against what the database already holds.

Runs inside the loader's transaction, on the ``staged_*`` temporary tables. Nothing reloads all stored texts:
candidates come from SQL joins on stored keys (content hash and URL, LSH band keys, event blocking keys), and
only the candidates' texts (re-shingled for exact verification) or features are read back to verify them.
Every match is a row of ``stored_matches`` (new article, stored article, stored event, method, score);
``apply_matches`` then points copies at their stored originals, near-duplicates at their stored parents, and
moves each matched new event (all its members) into the stored event. An article matched to a stored one joins
that article's event, and its copies and near-duplicates follow it, so a copy always shares its original's
event.
"""

from __future__ import annotations

import json
from collections import defaultdict

import duckdb

from pipeline.dedup import events
from pipeline.dedup.exact import MIN_HEADLINE_WORDS
from pipeline.dedup.minhash import MinHashConfig, shingle_sets, verified_similarity

MAX_CANDIDATE_EVENTS = 20
"""Stored events considered per new event: those sharing the most blocking keys with it."""
MAX_SUMMARY_MEMBERS = 50
"""A stored event's summary is built from at most this many of its latest representatives' features."""

_CREATE_MATCHES = """
CREATE OR REPLACE TEMP TABLE stored_matches (
    article_id VARCHAR, stored_id VARCHAR, event_id VARCHAR, method VARCHAR, score DOUBLE
);
INSERT INTO stored_matches
SELECT s.article_id, coalesce(a.duplicate_of, a.article_id), a.event_id, 'stored', 1.0
FROM staged_articles s JOIN articles a USING (article_id);
"""

_EXACT_MATCHES = """
INSERT INTO stored_matches
WITH matches AS (
    SELECT s.article_id, coalesce(a.duplicate_of, a.article_id) AS stored_id, a.event_id, a.published_at
    FROM staged_articles s JOIN articles a ON s.content_hash = a.content_hash
    WHERE s.duplicate_of IS NULL AND s.article_id NOT IN (SELECT article_id FROM stored_matches)
      AND (s.content_kind <> 'title_only' OR s.word_count >= $min_headline_words)
    UNION ALL
    SELECT s.article_id, coalesce(a.duplicate_of, a.article_id), a.event_id, a.published_at
    FROM staged_articles s JOIN articles a ON s.canonical_url = a.canonical_url
    WHERE s.duplicate_of IS NULL AND s.article_id NOT IN (SELECT article_id FROM stored_matches)
)
SELECT article_id, stored_id, event_id, 'exact', 1.0 FROM (
    SELECT *, row_number() OVER (PARTITION BY article_id ORDER BY published_at NULLS LAST, stored_id) AS rank
    FROM matches
) WHERE rank = 1
"""

_BAND_CANDIDATES = """
WITH staged_keys AS (
    SELECT s.article_id, unnest(s.band_keys) AS band_key
    FROM staged_article_signatures s JOIN staged_articles a USING (article_id)
    WHERE a.duplicate_of IS NULL AND a.article_id NOT IN (SELECT article_id FROM stored_matches)
),
stored_keys AS (
    SELECT article_id AS stored_id, unnest(band_keys) AS band_key FROM article_signatures
),
pairs AS (
    SELECT DISTINCT n.article_id, o.stored_id FROM staged_keys n JOIN stored_keys o USING (band_key)
)
SELECT p.article_id, p.stored_id, stored.event_id, n.text, stored.text
FROM pairs p
JOIN staged_articles n ON n.article_id = p.article_id
JOIN articles stored ON stored.article_id = p.stored_id
"""

_UNMATCHED_EVENT_FEATURES = """
SELECT a.event_id, f.features
FROM staged_article_features f JOIN staged_articles a USING (article_id)
WHERE a.event_id NOT IN (
    SELECT s.event_id FROM staged_articles s JOIN stored_matches m USING (article_id)
)
"""

_EVENT_CANDIDATES = """
WITH staged_keys AS (
    SELECT DISTINCT a.event_id AS staged_event_id, unnest(f.blocking_keys) AS blocking_key
    FROM staged_article_features f JOIN staged_articles a USING (article_id)
    WHERE a.event_id IN (SELECT event_id FROM unmatched_events)
),
stored_keys AS (
    SELECT article_id, unnest(blocking_keys) AS blocking_key FROM article_features
),
shared AS (
    SELECT n.staged_event_id, a.event_id AS stored_event_id, count(DISTINCT n.blocking_key) AS keys
    FROM staged_keys n JOIN stored_keys o USING (blocking_key) JOIN articles a ON a.article_id = o.article_id
    GROUP BY ALL
)
SELECT staged_event_id, stored_event_id FROM (
    SELECT *, row_number() OVER (PARTITION BY staged_event_id ORDER BY keys DESC, stored_event_id) AS rank
    FROM shared
) WHERE rank <= $limit
"""

_STORED_EVENT_FEATURES = """
SELECT event_id, features FROM (
    SELECT a.event_id, f.features, row_number() OVER (
        PARTITION BY a.event_id ORDER BY a.published_at DESC NULLS LAST, a.article_id
    ) AS rank
    FROM article_features f JOIN articles a USING (article_id)
    WHERE a.event_id IN (SELECT stored_event_id FROM event_candidates)
) WHERE rank <= $limit
"""

_APPLY_MATCHES = """
CREATE OR REPLACE TEMP TABLE event_remap AS
SELECT staged_event_id, stored_event_id FROM (
    SELECT s.event_id AS staged_event_id, m.event_id AS stored_event_id, row_number() OVER (
        PARTITION BY s.event_id ORDER BY m.method = 'stored' DESC, m.method = 'exact' DESC, m.score DESC, m.event_id
    ) AS rank
    FROM staged_articles s JOIN stored_matches m USING (article_id)
) WHERE rank = 1;

UPDATE staged_articles SET duplicate_of = m.stored_id
FROM stored_matches m WHERE staged_articles.article_id = m.article_id AND m.method = 'exact';

UPDATE staged_articles SET duplicate_of = m.stored_id
FROM stored_matches m
WHERE staged_articles.duplicate_of = m.article_id AND m.method IN ('stored', 'exact')
  AND m.stored_id <> staged_articles.article_id;

UPDATE staged_articles SET near_duplicate_of = m.stored_id
FROM stored_matches m
WHERE staged_articles.near_duplicate_of = m.article_id AND m.method IN ('stored', 'exact')
  AND m.stored_id <> staged_articles.article_id;

UPDATE staged_articles SET near_duplicate_of = m.stored_id, near_duplicate_score = m.score
FROM stored_matches m
WHERE staged_articles.article_id = m.article_id AND m.method = 'minhash' AND staged_articles.near_duplicate_of IS NULL;

UPDATE staged_articles SET near_duplicate_of = NULL, near_duplicate_score = NULL WHERE duplicate_of IS NOT NULL;

UPDATE staged_articles SET event_id = r.stored_event_id
FROM event_remap r WHERE staged_articles.event_id = r.staged_event_id;

UPDATE staged_articles SET event_id = m.event_id
FROM stored_matches m WHERE staged_articles.article_id = m.article_id AND m.method IN ('exact', 'minhash');

CREATE OR REPLACE TEMP VIEW all_events AS
SELECT article_id, event_id FROM articles
UNION ALL
SELECT article_id, event_id FROM staged_articles WHERE article_id NOT IN (SELECT article_id FROM articles);

UPDATE staged_articles SET event_id = o.event_id
FROM all_events o WHERE staged_articles.near_duplicate_of = o.article_id;

UPDATE staged_articles SET event_id = o.event_id
FROM all_events o WHERE staged_articles.duplicate_of = o.article_id;

INSERT INTO staged_article_links BY NAME
SELECT left(sha256(m.article_id || chr(31) || coalesce(m.stored_id, e.canonical_article_id) || chr(31) || m.method), 20)
           AS link_id,
       m.article_id, coalesce(m.stored_id, e.canonical_article_id) AS other_article_id, m.method, m.score,
       $run_id AS run_id
FROM stored_matches m LEFT JOIN events e USING (event_id)
WHERE m.method IN ('minhash', 'event');

DELETE FROM staged_articles WHERE article_id IN (SELECT article_id FROM articles);
"""


def execute_script(connection: duckdb.DuckDBPyConnection, script: str, params: dict) -> None:
    """Run a script statement by statement: DuckDB binds parameters only in a script's last statement."""
    for statement in filter(str.strip, script.split(";\n")):
        used = {name: value for name, value in params.items() if f"${name}" in statement}
        connection.execute(statement, used or None)


def _add_matches(connection: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    if rows:
        connection.executemany("INSERT INTO stored_matches VALUES (?, ?, ?, ?, ?)", rows)


def match_exact(connection: duckdb.DuckDBPyConnection) -> None:
    """New originals whose text or canonical URL is already stored: their stored original."""
    connection.execute(_CREATE_MATCHES)
    connection.execute(_EXACT_MATCHES, {"min_headline_words": MIN_HEADLINE_WORDS})


def match_near_duplicates(connection: duckdb.DuckDBPyConnection, config: MinHashConfig) -> None:
    """New originals that republish a stored article: the most similar stored article sharing a band key,
    verified exactly on the two texts' shingles."""
    best: dict[str, tuple] = {}
    rows = connection.execute(_BAND_CANDIDATES).fetchall()
    texts: dict[str, str] = {}
    for article_id, stored_id, _, text, stored_text in rows:
        texts[article_id], texts[stored_id] = text, stored_text
    sets = dict(zip(texts, shingle_sets(list(texts.values()), config), strict=True))
    for article_id, stored_id, event_id, _, _ in rows:
        similarity = verified_similarity(sets[article_id], sets[stored_id], config)
        if similarity is None:
            continue
        candidate = (article_id, stored_id, event_id, "minhash", round(similarity, 4))
        if article_id not in best or (-similarity, stored_id) < (-best[article_id][4], best[article_id][1]):
            best[article_id] = candidate
    _add_matches(connection, list(best.values()))


def match_events(connection: duckdb.DuckDBPyConnection, thresholds: events.EventThresholds) -> None:
    """New events (not joined by a copy) that report a stored event: attached by ``events.attach`` (the mean model
    score of their articles and the stored event's latest ``MAX_SUMMARY_MEMBERS``)."""
    staged: dict[str, list[events.EventFeatures]] = defaultdict(list)
    for event_id, features in connection.execute(_UNMATCHED_EVENT_FEATURES).fetchall():
        staged[event_id].append(events.EventFeatures.from_dict(json.loads(features)))
    if not staged:
        return
    connection.execute("CREATE OR REPLACE TEMP TABLE unmatched_events (event_id VARCHAR)")
    connection.executemany("INSERT INTO unmatched_events VALUES (?)", [(event_id,) for event_id in staged])
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE event_candidates AS " + _EVENT_CANDIDATES, {"limit": MAX_CANDIDATE_EVENTS}
    )
    candidates: dict[str, list[str]] = defaultdict(list)
    for staged_event_id, stored_event_id in connection.execute("SELECT * FROM event_candidates").fetchall():
        candidates[staged_event_id].append(stored_event_id)
    stored_members: dict[str, list[events.EventFeatures]] = defaultdict(list)
    for event_id, features in connection.execute(_STORED_EVENT_FEATURES, {"limit": MAX_SUMMARY_MEMBERS}).fetchall():
        stored_members[event_id].append(events.EventFeatures.from_dict(json.loads(features)))
    rows = []
    for staged_event_id, members in staged.items():
        options = {event_id: stored_members[event_id] for event_id in candidates[staged_event_id]}
        found = events.attach(members, options, thresholds) if options else None
        if found:
            stored_event_id, similarity = found
            first_article = staged_event_id.removeprefix("ev_")
            rows.append((first_article, None, stored_event_id, "event", round(similarity, 4)))
    _add_matches(connection, rows)


def apply_matches(connection: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Point matched new articles at stored ones, move matched new events, record the links, and drop the
    articles that were stored already."""
    execute_script(connection, _APPLY_MATCHES, {"run_id": run_id})


def resolve_against_stored(
    connection: duckdb.DuckDBPyConnection, minhash: MinHashConfig, thresholds: events.EventThresholds, run_id: str
) -> None:
    """All cross-run matching of the staged run, in order: exact copies, near-duplicates, events."""
    match_exact(connection)
    match_near_duplicates(connection, minhash)
    match_events(connection, thresholds)
    apply_matches(connection, run_id)
