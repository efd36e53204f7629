"""Event grouping: pure functions on real headlines, seed articles and the same-topic corpus."""

from __future__ import annotations

import itertools
import json
import pickle
import random
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from pipeline.events import fit
from pipeline.events.blocking import (
    N_BLOCKING_KEYS,
    N_DATE_KEYS,
    N_NUMBER_KEYS,
    N_TITLE_KEYS,
    block_pairs,
    blocking_keys,
    candidate_pairs,
)
from pipeline.events.cluster import cluster, cluster_levels, group_articles
from pipeline.events.features import (
    ENTITY_PREFIX,
    FEATURES_VERSION,
    EventFeatures,
    batch_features,
    event_features,
    idf,
    pair_features,
    summarize,
    term_counts,
    terms,
)
from pipeline.events.model import SHIPPED_MODEL, ModelError, read_model
from pipeline.events.score import (
    DEFAULT_THRESHOLDS,
    DEFAULT_TITLE_THRESHOLD,
    EventThresholds,
    pair_threshold,
    score,
    score_components,
)
from tests.conftest import SEEDS, story_items

T0 = datetime(2014, 3, 10, 16, 0, tzinfo=timezone.utc)

# Real headlines from the UCI News Aggregator dev slice: three stories, three headlines each.
HEADLINES = {
    "plosser-1": "Fed official says weak data caused by weather, should not slow taper",
    "plosser-2": "Fed's Charles Plosser sees high bar for change in pace of tapering",
    "plosser-3": "Fed risks falling 'behind the curve', Charles Plosser says",
    "bank-1": "Men's Wearhouse, JA Bank sew up $1.8B deal",
    "bank-2": "Men's Wearhouse to Buy Jos. A. Bank",
    "bank-3": "Men's Wearhouse finally buys Jos. A. Bank",
    "thrones-1": "Game of Thrones season 4 trailer promises vengeance and justice",
    "thrones-2": "'Game Of Thrones': New Season 4 Trailer Debuts",
    "thrones-3": 'HBO Unveils New Season 4 "Game of Thrones" Trailer: Watch Here!',
}


def _features(articles: dict[str, tuple[str, str | None, datetime | None]]) -> dict[str, EventFeatures]:
    doc_freq = Counter(term for title, text, _ in articles.values() for term in terms(title, text))
    return {
        key: event_features(title, text, published, doc_freq, len(articles))
        for key, (title, text, published) in articles.items()
    }


def _groups(assignment: dict) -> set[frozenset]:
    groups: dict = {}
    for item, representative in assignment.items():
        groups.setdefault(representative, set()).add(item)
    return {frozenset(group) for group in groups.values()}


def _headline_articles(published: datetime | None = T0) -> dict:
    return {key: (title, None, published) for key, title in HEADLINES.items()}


@pytest.mark.xfail(
    strict=True,
    reason="known gap: the five seeds report one running story and only 004 has a date; the model fitted on GVC, "
    "ECB+ and UCI scores every pair of them 0.61 to 0.80, above the undated threshold (0.55), and the pair of round "
    "one (000-001 0.73) lower than pairs across rounds (001-004 0.78, 001-002 0.77): the story's "
    "own names (Hamas, Gaza, Cairo, Israel) dominate the entity and body cosines, the names that tell the rounds "
    "apart (Burns, Ben-Gvir; Hamdan, El-Reshiq, Philadelphi) weigh little, so no threshold splits them. Cosines "
    "weighted by rarity in the run alone (no general-English prior) put 003-004 first among the seeds' pairs, but "
    "001-002 (Egypt, Qatar, Gaza Strip) above 000-001; fitted on the real corpora they got little weight and "
    "cross-validated ECB+ fell from 0.827 to 0.790, so they are not shipped (README, 'Event grouping: measured'). "
    "Other cues an editor reads do not split them either: with IDF from the five seeds alone, word cosines rank "
    "003-004 (0.125) first but 000-001 (0.069) barely above 001-004 (0.064), bigrams rank 000-001 sixth of ten, "
    "entities 001-002 second; "
    "relative time cues cannot join 000 to 001 (001 states no time at all) and weekdays only part 002 (Sunday) from "
    "004 (Monday). What 000 and 001 share is what was said, paraphrased (Hamas asked for more time to reply, some "
    "flexibility on hostages), yet their embedding cosines do not part the rounds either: 000-001 0.883 first, "
    "but 003-004 0.796 below 001-004 0.821 and 000-004 0.801 (README, 'the embedding cosine'). Stated dates and "
    "weekdays as conflict features touch 002-004 alone (000, 001 and 003 state neither) and lost held out (README, "
    "'stated dates and weekdays'); given publication dates, the shipped model gives the three events but three "
    "storylines",
)
def test_seed_articles_form_the_three_known_events():
    articles = {}
    for path in sorted(SEEDS.glob("*.txt")):
        headline, body = path.read_text(encoding="utf-8").strip().split("\n", 1)
        articles[path.name[:3]] = (headline.strip(), body, None)
    grouped = _groups(group_articles(articles))
    assert grouped == {frozenset({"000", "001"}), frozenset({"002"}), frozenset({"003", "004"})}


@pytest.mark.parametrize(
    "story",
    [
        "storms",
        pytest.param(
            "trial",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known gap: the model is fitted on GVC, whose labels join an incident's follow-ups (arrest, "
                "hearings) to it, so successive hearings of one trial weeks apart score as one event; storylines "
                "are the level that should hold them",
            ),
        ),
    ],
)
def test_dated_reports_of_one_running_story_form_its_distinct_events(story: str):
    """Four events of one story (storms on one coast, hearings of one trial), each reported independently by
    2 to 4 outlets, grouped in a run holding that story alone: same words everywhere, dates tell events apart."""
    articles, labelled = {}, {}
    for item in story_items(story):
        articles[item.item_id] = (item.title, item.text, item.published)
        labelled.setdefault(item.label, set()).add(item.item_id)
    assert _groups(group_articles(articles)) == {frozenset(ids) for ids in labelled.values()}


def test_headlines_of_three_stories_group_by_story():
    grouped = _groups(group_articles(_headline_articles()))
    for story in ("plosser", "bank", "thrones"):
        members = {key for key in HEADLINES if key.startswith(story)}
        assert not any(group & members and not group <= members for group in grouped), grouped
    assert frozenset({"bank-2", "bank-3"}) <= max(grouped, key=lambda g: len(g & {"bank-2", "bank-3"}))


def test_identical_titles_group_together_among_unrelated_items():
    articles = _headline_articles()
    articles["copy"] = (HEADLINES["thrones-1"], None, T0 + timedelta(hours=3))
    assignment = group_articles(articles)
    assert assignment["copy"] == assignment["thrones-1"]


def test_unrelated_items_stay_apart():
    articles = {
        "fed": (HEADLINES["plosser-1"], None, T0),
        "bank": (HEADLINES["bank-2"], None, T0),
        "thrones": (HEADLINES["thrones-1"], None, T0),
    }
    assert _groups(group_articles(articles)) == {frozenset({k}) for k in articles}


def test_time_decay_separates_the_same_words_weeks_apart():
    title = "Men's Wearhouse to Buy Jos. A. Bank"
    articles = {"then": (title, None, T0), "later": (title, None, T0 + timedelta(weeks=3))}
    articles.update({k: (t, None, T0) for k, t in HEADLINES.items() if not k.startswith("bank")})
    features = _features(articles)
    assert score(features["then"], features["later"]) < 0.01
    assignment = group_articles(articles)
    assert assignment["then"] != assignment["later"]
    articles["later"] = (title, None, T0 + timedelta(hours=5))
    assert group_articles(articles)["later"] == group_articles(articles)["then"]


def test_undated_full_texts_need_the_undated_threshold_and_headlines_the_title_one():
    (a, b), thresholds = [i for i in story_items("storms") if i.label == "storms-a"][:2], DEFAULT_THRESHOLDS
    body = {i.item_id: (i.title, i.text) for i in (a, b)}
    dated = _features({k: (*v, T0) for k, v in body.items()})
    undated = _features({k: (*v, None) for k, v in body.items()})
    headlines = _features({k: (v[0], None, T0) for k, v in body.items()})
    assert pair_threshold(*dated.values(), thresholds) == thresholds.full_text
    assert pair_threshold(dated[a.item_id], undated[b.item_id], thresholds) == thresholds.undated
    assert pair_threshold(*headlines.values(), thresholds) == thresholds.title
    levels = EventThresholds(full_text=0.5, undated=0.7, storyline=0.3, storyline_undated=0.4, storyline_title=0.2)
    assert pair_threshold(*dated.values(), levels, storyline=True) == 0.3
    assert pair_threshold(dated[a.item_id], undated[b.item_id], levels, storyline=True) == 0.4
    assert pair_threshold(*headlines.values(), levels, storyline=True) == min(levels.title, 0.2)
    assert EventThresholds(storyline=0.3).storyline_undated == DEFAULT_THRESHOLDS.model.thresholds.get(
        "storyline_undated", 0.3
    )


def test_two_undated_reports_scoring_between_the_thresholds_stay_apart_until_the_undated_one():
    a, b = [i for i in story_items("storms") if i.label == "storms-a"][:2]
    for published in (T0, None):
        articles = {i.item_id: (i.title, i.text, published) for i in (a, b)}
        similarity = score(*_features(articles).values())
        assert 0.0 < similarity < 1.0
        below, above = similarity / 2, (similarity + 1.0) / 2
        apart = EventThresholds(full_text=below, undated=above)
        together = EventThresholds(full_text=below, undated=below)
        separated = len(set(group_articles(articles, apart).values())) == 2
        assert separated is (published is None), "only an undated pair needs the undated threshold"
        assert len(set(group_articles(articles, together).values())) == 1


def test_an_undated_pair_is_scored_on_its_content_alone():
    articles = _headline_articles()
    articles["undated"] = (HEADLINES["bank-2"], None, None)
    features = _features(articles)
    dated_same_time = score_components(features["bank-3"], features["bank-2"])
    undated = score_components(features["bank-3"], features["undated"])
    assert undated.features["dated"] == undated.features["gap_days_log"] == 0.0
    assert dated_same_time.features["dated"] == 1.0 and dated_same_time.features["gap_days_log"] == 0.0
    content = ("body", "title", "entities", "numbers")
    assert [undated.features[k] for k in content] == [dated_same_time.features[k] for k in content]
    assert 0.0 < undated.total < 1.0


def test_the_model_tells_reports_of_two_incidents_apart_by_who_where_and_when():
    """Two shootings of one kind in one week: the victims, streets and figures differ, the words do not."""
    one = (
        "Man shot dead on Elm Street in Dayton",
        "A 34-year-old man, John Carter, was shot and killed on Elm Street in Dayton late Friday, Dayton police "
        "said. Officers found Carter at 11:40 p.m. in the 1200 block of Elm Street with a gunshot wound to the "
        "chest. He died at Miami Valley Hospital. Police have not named a suspect and ask anyone with "
        "information to call 937-222-4444.",
    )
    same = (
        "Police identify Dayton shooting victim as John Carter",
        "Dayton police on Saturday identified the man shot and killed on Elm Street Friday night as John Carter, "
        "34. Carter was found in the 1200 block of Elm Street shortly before midnight and died at Miami Valley "
        "Hospital, police said. No arrests have been made; tips go to 937-222-4444.",
    )
    other = (
        "Woman wounded in shooting on Maple Avenue in Toledo",
        "A 22-year-old woman, Maria Lopez, was shot and wounded on Maple Avenue in Toledo on Thursday, Toledo "
        "police said. Officers found Lopez at 2:15 p.m. in the 300 block of Maple Avenue with a gunshot wound to "
        "the leg. She was taken to St. Vincent Medical Center. Police have not named a suspect and ask anyone "
        "with information to call 419-255-8477.",
    )
    features = _features({"one": (*one, T0), "same": (*same, T0 + timedelta(hours=14)), "other": (*other, T0)})
    thresholds = DEFAULT_THRESHOLDS
    assert score(features["one"], features["same"]) >= thresholds.full_text
    assert score(features["one"], features["other"]) < thresholds.full_text


def test_grouping_is_deterministic_whatever_the_input_order():
    articles = _headline_articles()
    keys = list(articles)
    first = group_articles(articles)
    for seed in range(3):
        random.Random(seed).shuffle(keys)
        assert group_articles({k: articles[k] for k in keys}) == first


def test_one_headline_bridging_two_stories_does_not_merge_them():
    stories = {
        "volcano-1": "Volcano erupts near Reykjavik, thousands of flights grounded",
        "volcano-2": "Flights grounded across Europe as Icelandic volcano erupts near Reykjavik",
        "volcano-3": "Iceland eruption: ash cloud from Reykjavik volcano halts air travel",
        "bridge": "Reykjavik volcano erupts while Arion bank shares slump",
        "arion-1": "Arion bank shares slump on lending fears, investors flee",
        "arion-2": "Investors flee Arion bank as lending fears grow and shares slump",
        "arion-3": "Arion bank chief tries to calm depositors after share slump",
    }
    articles = {key: (title, None, T0) for key, title in {**stories, **HEADLINES}.items()}
    features = _features(articles)
    edges = [(a, b, score(features[a], features[b])) for a, b in itertools.combinations(sorted(stories), 2)]
    assert score(features["volcano-1"], features["arion-1"]) < DEFAULT_TITLE_THRESHOLD
    for story in ("volcano", "arion"):
        assert score(features["bridge"], features[f"{story}-1"]) >= DEFAULT_TITLE_THRESHOLD
    assignment = cluster(sorted(stories), edges, features=features)
    grouped = _groups(assignment)
    assert frozenset({"volcano-1", "volcano-2", "volcano-3"}) <= max(grouped, key=lambda g: "volcano-1" in g)
    assert frozenset({"arion-1", "arion-2", "arion-3"}) <= max(grouped, key=lambda g: "arion-1" in g)
    assert assignment["volcano-1"] != assignment["arion-1"]


def test_square_root_cosines_weigh_undated_pairs_only():
    """A few shared rare words count for much when no date helps: the square roots of the body and entity cosines
    are features of undated pairs, and nothing for two dated reports."""
    when = datetime(2016, 5, 1, tzinfo=timezone.utc)
    texts = {
        "a": ("Man shot on Elm Street", "Police said a man, John Carver, was shot twice outside a house on Elm Street"),
        "b": ("Victim named", "The man who was shot on Elm Street has died, and police named him as John Carver."),
    }
    for published, undated in ((None, 1.0), (when, 0.0)):
        found = batch_features({k: (title, text, published) for k, (title, text) in texts.items()})
        values = pair_features(found["a"], found["b"])
        assert values["body"] > 0 and values["entities"] > 0
        assert values["undated_x_body_sqrt"] == pytest.approx(undated * values["body"] ** 0.5)
        assert values["undated_x_entities_sqrt"] == pytest.approx(undated * values["entities"] ** 0.5)


def test_features_survive_a_json_round_trip():
    features = _features(_headline_articles())["bank-2"]
    restored = EventFeatures.from_dict(json.loads(json.dumps(features.to_dict())))
    assert restored == features
    assert restored.first_seen == T0.timestamp()


def test_summary_spans_the_time_range_and_counts_articles():
    articles = _headline_articles()
    articles["bank-3"] = (HEADLINES["bank-3"], None, T0 + timedelta(hours=6))
    features = _features(articles)
    summary = summarize([features["bank-2"], features["bank-3"]])
    assert (summary.first_seen, summary.last_seen) == (T0.timestamp(), (T0 + timedelta(hours=6)).timestamp())
    assert summary.n_articles == 2
    assert summarize([summary, features["bank-1"]]).n_articles == 3


def test_oversized_block_yields_pairs_linear_in_its_size():
    members = [(f"id{i:04d}", float(i)) for i in range(1000)]
    pairs = list(block_pairs(members, max_block_size=10))
    assert len(pairs) == sum(min(9, 999 - i) for i in range(1000))
    small = list(block_pairs(members[:5], max_block_size=10))
    assert len(small) == 10


def test_blocking_keys_include_rare_terms_and_entities():
    features = _features(_headline_articles())
    keys = blocking_keys(features["plosser-2"])
    assert "e:plosser" in keys
    assert any(key.startswith(ENTITY_PREFIX) for key in keys)
    assert len(keys) <= N_BLOCKING_KEYS + N_TITLE_KEYS + N_DATE_KEYS + N_NUMBER_KEYS
    assert len(keys) == len(set(keys))


def test_stated_dates_and_numbers_become_keys_of_their_own():
    counts = term_counts("Two shot on Dec. 15", "Police said 2 men were shot on December 15th, 2014 at 11:40.")
    assert counts.dates == {"d:12-15": 2, "d:2014-12": 1}
    assert {"n:2", "n:15", "n:2014", "n:11:40"} <= set(counts.numbers)
    assert counts.terms() >= set(counts.dates) | set(counts.numbers)


def test_bad_arguments_are_rejected_early():
    with pytest.raises(ValueError, match="n_docs"):
        event_features("title", None, None, {}, 0)
    with pytest.raises(ValueError, match="title or a text"):
        event_features("", None, None, {}, 1)
    for bad in ({"full_text": 1.5}, {"undated": 0.0}, {"title": -0.1}):
        with pytest.raises(ValueError, match="thresholds must be in"):
            EventThresholds(**bad)
    with pytest.raises(ValueError, match="unknown id"):
        features = _features({"x": ("Men's Wearhouse", None, None)})
        cluster(["x"], [("x", "y", 0.9)], features=features)


def test_a_story_keyword_stays_weighty_in_headlines_of_a_corpus_that_story_dominates():
    doc_freq = {"titanfall": 150, "review": 20, "the": 1000}
    keyword = idf("titanfall", doc_freq, 1000)
    assert keyword > idf("review", doc_freq, 1000) > idf("the", doc_freq, 1000) == 0
    corpus = {term: idf(term, doc_freq, 1000, background_docs=0) for term in doc_freq}
    assert corpus["titanfall"] < corpus["review"], "without the prior the story's own keyword weighs less"


def test_a_label_file_with_a_bad_record_is_refused_naming_the_line(tmp_path: Path):
    good = {"title": "Quake hits town", "text": "A quake hit the town.", "event": "quake"}
    cases = {
        "not json": ("{oops", ":2: not JSON"),
        "no label": (json.dumps({"title": "x"}), ":2: no 'event' label"),
        "no text": (json.dumps({"title": "", "event": "e"}), ":2: needs a 'title' or a 'text'"),
        "bad date": (json.dumps({**good, "published": "yesterday"}), ":2: 'published' is not an ISO date"),
    }
    for name, (line, message) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.jsonl"
        path.write_text(json.dumps(good) + "\n" + line + "\n", encoding="utf-8")
        with pytest.raises(fit.LabelError, match=message):
            fit.read_labels(path)
    one_event = tmp_path / "one.jsonl"
    one_event.write_text(json.dumps(good) + "\n", encoding="utf-8")
    with pytest.raises(fit.LabelError, match="at least two events"):
        fit.read_labels(one_event)


def _write_labels(path: Path, items, storylines: bool = False) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for item in items:
            record = {"title": item.title, "text": item.text, "published": item.published.isoformat()}
            record["event"] = item.label
            if storylines:
                record["storyline"] = item.label.rsplit("-", 1)[0]
            handle.write(json.dumps(record) + "\n")
    return path


def test_grouping_fit_prints_cross_validated_figures_and_writes_a_model_that_groups(tmp_path: Path, capsys):
    items = story_items("storms") + story_items("trial") + story_items("climate") + story_items("volcano")
    labels = _write_labels(tmp_path / "labels.jsonl", items, storylines=True)
    out = tmp_path / "model.json"
    assert main(["grouping", "fit", "--labels", str(labels), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "shipped" in printed and "fitted" in printed and f"wrote {out}" in printed
    for measure in ("event_f1", "storyline_f1"):
        assert any(line.startswith("mean") and measure in line for line in printed.splitlines())
    model = read_model(out)
    assert model.features_version == FEATURES_VERSION and model.note["data"]["labels"]["events"] == 16
    assert model.note["data"]["labels"]["storylines"] == 4 and "storyline_full_text" in model.thresholds
    thresholds = EventThresholds(model=model)
    assert thresholds.storyline <= thresholds.full_text
    articles = {item.item_id: (item.title, item.text, item.published) for item in items}
    assignment = group_articles(articles, thresholds)
    truth = [item.label for item in items]
    assert fit.pairwise_f1(dict(enumerate(truth)), dict(enumerate(assignment[i.item_id] for i in items))) > 0.8


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "labels.jsonl:2: not JSON"),
        ('{"title": "A headline"}', "labels.jsonl:2: no 'event' label"),
        ('{"title": "", "event": "x"}', "labels.jsonl:2: needs a 'title' or a 'text'"),
        ('{"title": "A headline", "event": "x", "published": "last week"}', "'published' is not an ISO date"),
    ],
    ids=["not-json", "no-event", "no-text", "bad-date"],
)
def test_grouping_fit_refuses_a_bad_label_file_with_one_line_naming_it(tmp_path: Path, capsys, content, message):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"title": "Storm hits the coast", "event": "a"}\n' + content + "\n", encoding="utf-8")
    assert main(["grouping", "fit", "--labels", str(labels), "--out", str(tmp_path / "m.json")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("wirebeam: ") and message in error and error.count("\n") == 1
    assert not (tmp_path / "m.json").exists()


def test_grouping_fit_says_when_there_are_too_few_events_to_cross_validate(tmp_path: Path, capsys):
    labels = _write_labels(tmp_path / "labels.jsonl", story_items("storms")[:4])
    assert main(["grouping", "fit", "--labels", str(labels)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("wirebeam: too few events to cross-validate") and error.count("\n") == 1
    missing = tmp_path / "missing.jsonl"
    assert main(["grouping", "fit", "--labels", str(missing)]) == 2
    assert f"cannot read label file {missing}" in capsys.readouterr().err


def test_storylines_hold_whole_events_and_are_the_events_without_storyline_thresholds():
    items = story_items("storms") + story_items("trial") + story_items("climate")
    features = batch_features({item.item_id: (item.title, item.text, item.published) for item in items})
    edges = [(a, b, score(features[a], features[b])) for a, b in sorted(candidate_pairs(features))]
    same = EventThresholds(storyline=DEFAULT_THRESHOLDS.full_text, storyline_title=DEFAULT_THRESHOLDS.title)
    events_of, storylines_of = cluster_levels(features, edges, same, features=features)
    assert len(set(storylines_of.values())) == len(set(events_of.values()))
    loose = EventThresholds(storyline=0.05, storyline_title=0.05)
    events_of, storylines_of = cluster_levels(features, edges, loose, features=features)
    assert events_of == cluster(features, edges, loose, features=features)
    storyline_of_event = {}
    for item, event in events_of.items():
        assert storyline_of_event.setdefault(event, storylines_of[item]) == storylines_of[item]
    assert len(set(storylines_of.values())) < len(set(events_of.values()))


def test_an_unusable_model_file_is_refused(tmp_path: Path):
    path = tmp_path / "model.json"
    for content in ("not json", json.dumps({"format": 99}), json.dumps({"format": 1, "coefficients": {}})):
        path.write_text(content, encoding="utf-8")
        with pytest.raises(ModelError):
            read_model(path)


def test_a_model_fitted_on_another_features_version_is_refused_before_the_run(tmp_path: Path, capsys):
    """``wirebeam run --grouping_model`` refuses it (exit 2, nothing written); reading it alone does not (the shipped
    model is read at import, and `wirebeam grouping` reads models of any version)."""
    data = json.loads(SHIPPED_MODEL.read_text(encoding="utf-8")) | {"features_version": FEATURES_VERSION - 1}
    model, db = tmp_path / "model.json", tmp_path / "wb.duckdb"
    model.write_text(json.dumps(data), encoding="utf-8")
    assert read_model(model).features_version == FEATURES_VERSION - 1
    assert main(["run", "--offline", "--seeds", str(SEEDS), "--db", str(db), "--grouping_model", str(model)]) == 2
    error = capsys.readouterr().err
    assert f"fitted on features of version {FEATURES_VERSION - 1}" in error and "wirebeam grouping fit" in error
    assert not db.exists()


def test_the_shipped_model_was_fitted_on_the_features_this_wirebeam_computes():
    """Refit it (``benchmarks/events.py --write_model pipeline/events/grouping_model.json``) with any bump of
    ``FEATURES_VERSION``."""
    assert read_model(SHIPPED_MODEL).features_version == FEATURES_VERSION


WALL = (
    "Just One More Thing...\n\nWe have sent you a verification email. Please check your email and click on the link "
    "to activate your profile.\n\nIf you do not receive the verification message within a few minutes of signing up, "
    "please check your Spam or Junk folder."
)


def test_the_fit_reads_bodies_as_a_run_hands_them_to_grouping(tmp_path: Path):
    """Bodies a run reduces (a wall page, chrome lines, a wall notice above a story, a short remainder) reach the fit
    as they reach grouping in ``wirebeam run``: the same headline and body, or summary, for every report."""
    body = "Police said the man was taken to the hospital with wounds to his leg and was expected to survive. " * 3
    reports = [
        ("Gunman shot at a dozen people in Bartow", WALL, "The Courier"),
        ("Three dead, two wounded in Atlanta shooting", WALL, "Metro Wire"),
        ("Teen wounded on Elm Street", f"Advertisement\n{body}\nShare this article\n1 of 4", "Daily Planet"),
        ("Man shot in parking lot", f"Please enable JavaScript to watch this video.\n{body}", "AP"),
        ("Boy shot by stray bullet", "The boy is in stable condition, police said on Sunday.", "Reuters"),
    ]
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    with (seeds / "reports.jsonl").open("w", encoding="utf-8") as handle:
        for n, (title, text, source) in enumerate(reports):
            record = {"title": title, "text": text, "source": source, "url": f"https://example.com/{n}"}
            handle.write(json.dumps(record) + "\n")
    db = tmp_path / "run.duckdb"
    assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)]) == 0
    with duckdb.connect(str(db), read_only=True) as connection:
        stored = dict(connection.execute("SELECT title, coalesce(text, summary) FROM articles").fetchall())
    read = fit.as_run_reads([(title, text, None) for title, text, _ in reports])
    assert {title: text for title, text, _ in read} == stored
    assert [text is None for _, text, _ in read] == [True, True, False, False, False]
    assert all("Advertisement" not in text and "JavaScript" not in text for _, text, _ in read[2:4])


def test_benchmark_fold_models_are_never_reused_across_modes_or_code(tmp_path, monkeypatch):
    """``benchmarks.events.fold_models`` reuses a fold model only when the same mode and code built it."""
    from benchmarks import events as bench

    fits = []

    def fake_fit_on(half, path, embeddings=False):
        fits.append((half, embeddings))
        path.write_text(json.dumps({"half": half, "embeddings": embeddings}), encoding="utf-8")
        return path

    monkeypatch.setattr(bench, "fit_on", fake_fit_on)
    lexical = bench.fold_models(tmp_path)
    assert sorted(fits) == [("A", False), ("B", False)]
    embedded = bench.fold_models(tmp_path, embeddings=True)
    assert sorted(fits[2:]) == [("A", True), ("B", True)]
    assert all(json.loads(embedded[h].read_text())["embeddings"] for h in fit.HALVES)
    assert bench.fold_models(tmp_path) == lexical and len(fits) == 4
    monkeypatch.setattr(bench, "code_digest", lambda: "other code")
    bench.fold_models(tmp_path)
    assert len(fits) == 6


def test_benchmark_featurised_cache_is_rebuilt_when_built_otherwise(tmp_path, monkeypatch):
    """``benchmarks.events_cached_cv`` rebuilds a cache of featurised halves that another mode or code built
    (or one that does not say), and reuses its own."""
    from benchmarks import events as bench
    from benchmarks import events_cached_cv as cached

    day = datetime(2024, 5, 1, tzinfo=timezone.utc)
    items = [
        bench.Item(
            f"{label}-{n}",
            f"{label} report {n}",
            f"The {label} story, told again {n}.",
            day,
            label,
            f"u{label}{n}",
            "s",
        )
        for label in ("flood in Lyon", "strike at the port", "fire in Tulsa", "vote in Oslo")
        for n in range(2)
    ]
    monkeypatch.setattr(cached, "FIT_CORPORA", ("tiny",))
    monkeypatch.setattr(cached, "load_corpus", lambda name: items)
    cache = tmp_path / "pairs.pkl"
    built = cached.featurised_halves(cache)
    assert cached.read_cache(cache)[0] == bench.built_by(False)
    assert sum(len(c.features) for c in built.values()) == len(items)
    cache.write_bytes(pickle.dumps({"built_by": bench.built_by(True), "pairs": {"stale": None}}))
    assert cached.featurised_halves(cache).keys() == built.keys()
    cache.write_bytes(pickle.dumps({"stale": None}))
    assert cached.featurised_halves(cache).keys() == built.keys()
    assert cached.read_cache(cache)[0] == bench.built_by(False)
