"""Cross-run matching decided by ``resolve`` (pure), one case at a time, and end to end on a real DuckDB file."""

from __future__ import annotations

from datetime import datetime, timezone

from pipeline import ids
from pipeline.store.matching import (
    Candidates,
    Regrouped,
    Regrouping,
    ResolvedArticle,
    StagedArticle,
    StoredArticle,
    resolve,
)

EARLY = datetime(2024, 4, 1, tzinfo=timezone.utc)
LATE = datetime(2024, 4, 2, tzinfo=timezone.utc)


def staged(article_id: str, event_id: str | None = None, duplicate_of=None, near=None, **fields) -> StagedArticle:
    values = {
        "content_hash": f"hash-{article_id}",
        "canonical_url": None,
        "content_kind": "body",
        "word_count": 200,
        "near_duplicate_score": 0.9 if near else None,
    }
    values.update(fields)
    return StagedArticle(
        article_id,
        duplicate_of,
        near,
        values["near_duplicate_score"],
        event_id or ids.event_id(article_id),
        values["content_hash"],
        values["canonical_url"],
        values["content_kind"],
        values["word_count"],
    )


def stored(article_id: str, event_id: str | None = None, published_at=EARLY, source_ref="old.jsonl") -> StoredArticle:
    return StoredArticle(article_id, published_at, source_ref, event_id or ids.event_id(article_id))


def by_id(resolution) -> dict[str, ResolvedArticle]:
    return {article.article_id: article for article in resolution.articles}


def test_a_copy_of_a_stored_article_points_at_it_and_its_copies_and_near_copies_follow():
    new = staged("n")
    articles = [new, staged("c", new.event_id, duplicate_of="n"), staged("r", new.event_id, near="n")]
    candidates = Candidates(exact={"n": [("hash:hash-n", stored("s"))]})
    resolution = resolve(articles, candidates, "run2")
    resolved = by_id(resolution)
    assert resolved["n"] == ResolvedArticle("n", "s", None, None, "ev_s")
    assert resolved["c"] == ResolvedArticle("c", "s", None, None, "ev_s")
    assert resolved["r"] == ResolvedArticle("r", None, "s", 0.9, "ev_s")
    assert resolution.links == [] and resolution.stored_already == []


def test_the_original_among_stored_copies_is_chosen_by_the_graphs_rule():
    candidates = Candidates(
        exact={
            "n": [
                ("url:https://x.test/a", stored("undated", published_at=None)),
                ("hash:hash-n", stored("later", published_at=LATE)),
                ("hash:hash-n", stored("earlier", published_at=EARLY, source_ref="z.jsonl")),
            ]
        }
    )
    resolved = by_id(resolve([staged("n", canonical_url="https://x.test/a")], candidates, "run2"))
    assert resolved["n"].duplicate_of == "earlier"


def test_a_generic_headline_copies_nothing_by_its_text_alone():
    headline = staged("n", content_kind="title_only", word_count=1)
    candidates = Candidates(exact={"n": [("hash:hash-n", stored("s"))]})
    resolved = by_id(resolve([headline], candidates, "run2"))
    assert resolved["n"] == ResolvedArticle("n", None, None, None, "ev_n")


def test_a_near_copy_of_a_stored_article_points_at_the_most_similar_and_is_linked():
    articles = [staged("n"), staged("m", "ev_n")]
    candidates = Candidates(near={"n": [(stored("s1", "ev_a"), 0.71), (stored("s2", "ev_b"), 0.83)]})
    resolution = resolve(articles, candidates, "run2")
    resolved = by_id(resolution)
    assert resolved["n"] == ResolvedArticle("n", None, "s2", 0.83, "ev_b")
    assert resolved["m"].event_id == "ev_b", "the new event moves with its matched article"
    (link,) = resolution.links
    assert (link.article_id, link.other_article_id, link.method, link.score, link.run_id) == (
        "n",
        "s2",
        "minhash",
        0.83,
        "run2",
    )
    assert link.link_id == ids.link_id("n", "s2", "minhash")


def test_a_near_copy_keeps_the_parent_its_own_run_gave_it():
    articles = [staged("p"), staged("n", "ev_p", near="p")]
    candidates = Candidates(near={"n": [(stored("s", "ev_s"), 0.8)]})
    resolution = resolve(articles, candidates, "run2")
    resolved = by_id(resolution)
    assert resolved["n"].near_duplicate_of == "p" and resolved["n"].near_duplicate_score == 0.9
    assert resolved["n"].event_id == resolved["p"].event_id == "ev_s"
    assert [link.other_article_id for link in resolution.links] == ["s"]


def test_a_regrouped_report_takes_the_event_clustering_gave_it_and_is_linked_when_it_joined_a_stored_one():
    articles = [staged("a"), staged("b", "ev_a"), staged("z")]
    regrouping = Regrouping({"a": Regrouped("ev_old", None, ("canon", 0.6123)), "b": Regrouped("ev_b")})
    resolution = resolve(articles, Candidates(regrouping=regrouping), "run2")
    resolved = by_id(resolution)
    assert [resolved[x].event_id for x in "abz"] == ["ev_old", "ev_b", "ev_z"]
    assert all(resolved[x].duplicate_of is None and resolved[x].near_duplicate_of is None for x in "abz")
    (link,) = resolution.links
    assert (link.article_id, link.other_article_id, link.method, link.score) == ("a", "canon", "event", 0.6123)
    assert link.link_id == ids.link_id("a", "canon", "event")


def test_stored_articles_moved_or_merged_by_clustering_are_resolved_with_their_storylines():
    articles = [staged("a"), staged("c")]
    regrouping = Regrouping({"a": Regrouped("ev_1")}, moved={"s2": "ev_1", "s3": "ev_s3"}, merged={"ev_9": "ev_1"})
    candidates = Candidates(
        exact={"c": [("hash:hash-c", stored("s9", "ev_9"))]},
        regrouping=regrouping,
        storylines={"ev_1": "sl_1", "ev_9": "sl_9"},
    )
    resolution = resolve(articles, candidates, "run2")
    assert by_id(resolution)["c"].event_id == "ev_1", "a copy of a merged event's article follows it"
    assert resolution.moved == [("s2", "ev_1", "sl_1"), ("s3", "ev_s3", None)]
    assert resolution.merged == [("ev_9", "ev_1", "sl_1")]


def test_copies_of_two_stored_events_in_one_new_event_each_join_their_own_and_the_rest_follow_one():
    articles = [staged("a"), staged("b", "ev_a"), staged("c", "ev_a")]
    candidates = Candidates(
        exact={"a": [("hash:hash-a", stored("s2", "ev_2"))], "b": [("hash:hash-b", stored("s1", "ev_1"))]}
    )
    resolved = by_id(resolve(articles, candidates, "run2"))
    assert resolved["a"] == ResolvedArticle("a", "s2", None, None, "ev_2")
    assert resolved["b"] == ResolvedArticle("b", "s1", None, None, "ev_1")
    assert resolved["c"].event_id == "ev_1", "the rest of the new event joins the first stored event by ID"


def test_an_article_stored_already_is_dropped_and_its_new_copies_point_at_its_stored_original():
    articles = [staged("x"), staged("y", "ev_x", duplicate_of="x")]
    candidates = Candidates(stored={"x": stored("orig", "ev_orig")})
    resolution = resolve(articles, candidates, "run2")
    assert resolution.stored_already == ["x"]
    assert by_id(resolution)["y"] == ResolvedArticle("y", "orig", None, None, "ev_orig")
    assert resolution.links == []
