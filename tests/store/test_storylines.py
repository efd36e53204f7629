"""Storylines in the database: the stage's storylines stored with their events, joined across runs, aggregated."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.events import write_seed_jsonl
from pipeline.cli import main
from pipeline.events.model import shipped_model
from pipeline.store.matching import Candidates, Regrouped, Regrouping, StagedArticle, StoredArticle, resolve
from tests.conftest import query, story_items


def _staged(article_id: str, event_id: str, storyline_id: str | None) -> StagedArticle:
    return StagedArticle(article_id, None, None, None, event_id, f"hash-{article_id}", None, "body", 200, storyline_id)


def test_regrouped_articles_take_the_storyline_clustering_gave_them_a_stored_one_or_a_new_one():
    articles = [_staged("a", "ev_a", "sl_a"), _staged("b", "ev_a", "sl_a"), _staged("c", "ev_c", "sl_a")]
    articles.append(_staged("z", "ev_z", "sl_z"))
    regrouping = Regrouping(
        {"a": Regrouped("ev_a", "sl_story"), "b": Regrouped("ev_a", "sl_story"), "c": Regrouped("ev_c", "sl_c")}
    )
    candidates = Candidates(regrouping=regrouping, storylines={"ev_old": "sl_story"})
    resolution = resolve(articles, candidates, "run2")
    assert {a.article_id: (a.event_id, a.storyline_id) for a in resolution.articles} == {
        "a": ("ev_a", "sl_story"),
        "b": ("ev_a", "sl_story"),
        "c": ("ev_c", "sl_c"),
        "z": ("ev_z", "sl_z"),
    }, "the events stay new; a storyline reaching a stored one takes it, the other part is a new storyline"
    assert resolution.links == [], "a storyline match is no evidence of one event"


def test_a_regrouped_article_keeps_its_clustered_storyline_and_a_copy_takes_its_stored_events():
    articles = [_staged("a", "ev_a", "sl_a"), _staged("u", "ev_u", "sl_a")]
    stored = StoredArticle("s", None, "old.jsonl", "ev_1")
    candidates = Candidates(
        exact={"u": [("hash:hash-u", stored)]},
        regrouping=Regrouping({"a": Regrouped("ev_2", "sl_two", ("canon", 0.7))}),
        storylines={"ev_2": "sl_two", "ev_1": "sl_one"},
    )
    resolved = {a.article_id: (a.event_id, a.storyline_id) for a in resolve(articles, candidates, "run2").articles}
    assert resolved == {"a": ("ev_2", "sl_two"), "u": ("ev_1", "sl_one")}


def test_an_article_without_a_storyline_that_copies_a_stored_one_takes_its_events_storyline():
    stored = StoredArticle("s", None, "old.jsonl", "ev_s")
    candidates = Candidates(exact={"u": [("hash:hash-u", stored)]}, storylines={"ev_s": "sl_s"})
    (resolved,) = resolve([_staged("u", "ev_u", None)], candidates, "run2").articles
    assert (resolved.duplicate_of, resolved.event_id, resolved.storyline_id) == ("s", "ev_s", "sl_s")


def _run(tmp_path: Path, name: str, items, db: Path, model: Path) -> None:
    seeds = tmp_path / name
    seeds.mkdir()
    write_seed_jsonl(items, seeds / "items.jsonl")
    assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(db), "--grouping_model", str(model)]) == 0


def _loose_storylines_model(tmp_path: Path) -> Path:
    """The shipped model with strict event thresholds and storyline thresholds far below them (a test setting,
    fitted on nothing), so each hearing of a trial is an event and the trial one storyline."""
    data = shipped_model().to_dict()
    data["thresholds"] |= {"full_text": 0.97, "undated": 0.97, "headline": 0.97}
    data["thresholds"] |= {"storyline_full_text": 0.02, "storyline_headline": 0.02}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_later_run_joins_the_stored_storyline_and_storylines_count_their_events(tmp_path: Path):
    db, model = tmp_path / "db" / "w.duckdb", _loose_storylines_model(tmp_path)
    items = story_items("trial")
    first = [item for item in items if item.label in ("trial-a", "trial-b")]
    _run(tmp_path, "first", first, db, model)
    (first_run,) = query(db, "SELECT run_id FROM runs")[0]
    _run(tmp_path, "second", [item for item in items if item not in first], db, model)
    events = query(db, "SELECT count(*), count(DISTINCT storyline_id) FROM events")
    assert events[0][0] >= 2 and events[0][1] == 1, "every hearing of the trial lies in one storyline"
    assert query(db, "SELECT count(DISTINCT storyline_id) FROM articles") == [(1,)]
    (row,) = query(db, "SELECT storyline_id, event_count, article_count, created_run_id FROM storylines")
    assert row[1:] == (events[0][0], len(items), first_run)
    assert query(db, "SELECT len(event_ids) FROM storyline_summary") == [(events[0][0],)]
    assert query(db, "SELECT DISTINCT storyline_events FROM event_summary") == [(events[0][0],)]


def test_without_storyline_thresholds_every_event_is_its_own_storyline(tmp_path: Path):
    db = tmp_path / "db" / "w.duckdb"
    data = shipped_model().to_dict()
    data["thresholds"] = {k: v for k, v in data["thresholds"].items() if not k.startswith("storyline")}
    model = tmp_path / "model.json"
    model.write_text(json.dumps(data), encoding="utf-8")
    _run(tmp_path, "all", story_items("trial") + story_items("storms"), db, model)
    assert query(db, "SELECT count(*) = count(DISTINCT storyline_id) FROM events") == [(True,)]
    assert query(db, "SELECT sum(event_count), sum(article_count) FROM storylines") == query(
        db, "SELECT count(*), sum(article_count) FROM events"
    )
