"""Sentence embeddings (``--embeddings``): flags, the missing-extra error, and (with the extra installed) real
all-MiniLM-L6-v2 vectors grouping paraphrased reports that share almost no words, within a run and across runs."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import BeamAssertException, assert_that

from pipeline.cli import main
from pipeline.events import embeddings
from pipeline.events.blocking import (
    EMBEDDING_BANDS,
    EMBEDDING_BLOCK_WINDOW,
    block_member,
    block_window,
    blocking_keys,
    embedding_keys,
    reaching_pairs,
)
from pipeline.events.features import batch_features
from pipeline.events.model import GroupingModel, read_model, shipped_model
from pipeline.events.score import DEFAULT_THRESHOLDS, EMBEDDING_THRESHOLDS, EventThresholds, score, score_components
from pipeline.options import WirebeamOptions, event_thresholds
from tests.conftest import REPO, local_test_pipeline, query, story_items
from tests.test_end_to_end import NO_SOCKET_RUN

HAS_EXTRA = all(importlib.util.find_spec(name) for name in embeddings.EXTRA_PACKAGES)
needs_extra = pytest.mark.skipif(not HAS_EXTRA, reason="needs pip install '.[embeddings]'")

FIRE = "Wildfire forces thousands to flee homes near Athens"
FIRE_PARAPHRASE = "Blaze on outskirts of Greek capital forces mass evacuation of residents"
FIRE_LATER_REPORT = "Greek firefighters battle flames as villages north of Athens are evacuated"
RATES = "Central bank raises interest rates again to curb inflation"


def _write_headlines(directory: Path, headlines: dict[str, str]) -> None:
    """Title-only JSON Lines records, one per headline, keyed by a URL naming it."""
    directory.mkdir()
    records = [{"title": title, "url": f"https://news.example/{name}"} for name, title in headlines.items()]
    (directory / "headlines.jsonl").write_text("\n".join(json.dumps(record) for record in records) + "\n")


def _options(*flags: str) -> WirebeamOptions:
    return PipelineOptions(list(flags)).view_as(WirebeamOptions)


def test_embeddings_switch_the_threshold_defaults_and_flags_still_win():
    assert event_thresholds(_options()) == DEFAULT_THRESHOLDS
    assert event_thresholds(_options("--embeddings")) == EMBEDDING_THRESHOLDS
    chosen = event_thresholds(_options("--embeddings", "--event_title_threshold", "0.9"))
    defaults = EMBEDDING_THRESHOLDS
    assert chosen == dataclasses.replace(defaults, title=0.9)


def test_a_threshold_out_of_range_is_a_usage_error(seeds_dir, db_path, capsys):
    assert main(["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path), "--event_threshold", "1.5"]) == 2
    assert "thresholds must be in (0, 1]" in capsys.readouterr().err
    assert not db_path.exists()


def test_an_unusable_grouping_model_is_a_usage_error(seeds_dir, db_path, tmp_path, capsys):
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"format": 1, "coefficients": {}}), encoding="utf-8")
    flags = ["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path), "--grouping_model", str(model)]
    assert main(flags) == 2
    assert "grouping model" in capsys.readouterr().err
    assert not db_path.exists()


def test_without_the_extra_embeddings_is_a_usage_error_naming_the_install(seeds_dir, db_path, capsys, monkeypatch):
    monkeypatch.setattr(embeddings, "EXTRA_PACKAGES", ("wirebeam_package_that_is_not_installed",))
    assert main(["run", "--offline", "--embeddings", "--seeds", str(seeds_dir), "--db", str(db_path)]) == 2
    assert "pip install 'wirebeam[embeddings]'" in capsys.readouterr().err
    assert not db_path.exists()


def test_embedding_keys_are_stable_and_shared_by_close_vectors():
    base = [math.sin(i) for i in range(384)]
    near = [x + 0.05 * math.cos(7 * i) for i, x in enumerate(base)]
    keys = embedding_keys(base)
    assert len(keys) == EMBEDDING_BANDS and keys == embedding_keys(base)
    assert set(keys) & set(embedding_keys(near))
    assert not set(keys) & set(embedding_keys([-x for x in base]))
    assert block_window(keys[0]) == EMBEDDING_BLOCK_WINDOW < block_window("athens")


@needs_extra
def test_embed_gives_unit_vectors_that_place_a_paraphrase_nearer_than_another_story():
    texts = [FIRE, FIRE_PARAPHRASE, RATES]

    def check(pairs):
        vectors = {text: vector for text, vector in pairs}
        if sorted(vectors) != sorted(texts) or any(len(v) != 384 for v in vectors.values()):
            raise BeamAssertException(f"expected one 384-d vector per text, got {len(vectors)}")
        if any(abs(sum(x * x for x in v) - 1) > 1e-3 for v in vectors.values()):
            raise BeamAssertException("vectors are not unit length")
        cosine = {t: sum(x * y for x, y in zip(vectors[texts[0]], vectors[t], strict=True)) for t in texts[1:]}
        if not cosine[texts[1]] > 0.5 > 0.2 > cosine[texts[2]]:
            raise BeamAssertException(f"paraphrase/other-story cosines out of order: {cosine}")

    with local_test_pipeline() as pipeline:
        assert_that(pipeline | beam.Create(texts) | embeddings.Embed(lambda text: text), check)


@needs_extra
@pytest.mark.xfail(
    strict=True,
    reason="known gap (failing on main too, skipped where the extra is not installed): the shipped model does not "
    "weigh the embedding cosine, so the paraphrase (one shared word, 'forces') meets the fire headline as a candidate "
    "but scores below the headline threshold; a model weighing the headline cosine did not win on held-out halves "
    "(README, 'the embedding cosine')",
)
def test_paraphrased_headlines_group_only_with_embeddings_offline_and_across_runs(tmp_path, capsys):
    first, second = tmp_path / "first", tmp_path / "second"
    _write_headlines(first, {"fire": FIRE, "paraphrase": FIRE_PARAPHRASE, "rates": RATES})
    _write_headlines(second, {"later": FIRE_LATER_REPORT})
    events_sql = "SELECT list(url ORDER BY url) FROM articles GROUP BY event_id ORDER BY 1"

    lexical_db = tmp_path / "lexical.duckdb"
    assert main(["run", "--offline", "--seeds", str(first), "--db", str(lexical_db)]) == 0
    assert query(lexical_db, "SELECT count(DISTINCT event_id) FROM articles") == [(3,)]

    db = tmp_path / "embedded.duckdb"
    command = [sys.executable, "-c", NO_SOCKET_RUN, "run", "--offline", "--embeddings", "--seeds", str(first)]
    result = subprocess.run([*command, "--db", str(db)], capture_output=True, text=True, timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "socket" not in result.stderr
    fire, paraphrase, rates = (f"https://news.example/{name}" for name in ("fire", "paraphrase", "rates"))
    assert query(db, events_sql) == [([fire, paraphrase],), ([rates],)]
    assert query(db, "SELECT DISTINCT json_array_length(features->'embedding') FROM article_features") == [(384,)]
    link = query(db, "SELECT method, score FROM article_links")
    assert len(link) == 1 and link[0][0] == "event" and link[0][1] >= EMBEDDING_THRESHOLDS.title

    assert main(["run", "--offline", "--embeddings", "--seeds", str(second), "--db", str(db)]) == 0
    assert query(db, events_sql) == [([fire, "https://news.example/later", paraphrase],), ([rates],)]
    assert query(db, "SELECT events_new, events_updated FROM runs ORDER BY started_at DESC LIMIT 1") == [(0, 1)]

    assert main(["run", "--offline", "--seeds", str(second), "--db", str(db)]) == 0
    assert "keep one mode per database" in capsys.readouterr().err


def _unit(vector: np.ndarray) -> tuple[float, ...]:
    return tuple(float(x) for x in vector / np.linalg.norm(vector))


def test_a_model_weighing_the_embedding_cosine_scores_it_and_the_screen_keeps_every_pair_reaching_its_floor():
    """Blocking's bulk screen computes no embedding cosine: the model counts the most it could add, so the pairs of
    headlines it leaves unscored are only ones the exact score (with the cosine) puts below the floor."""
    shipped = shipped_model()
    headline = {**shipped.coefficients["headline"], "embedding": 4.0}
    model = GroupingModel({**shipped.coefficients, "headline": headline}, shipped.thresholds, shipped.features_version)
    floor = EventThresholds(model=model).lowest
    assert model.uses_embeddings and not shipped.uses_embeddings
    rng = np.random.default_rng(7)
    stories = {name: rng.normal(size=384) for name in ("storms", "trial", "climate", "volcano")}
    articles, vectors = {}, {}
    for item in (item for story in stories for item in story_items(story)):
        articles[item.item_id] = (item.title, None, item.published)
        vectors[item.item_id] = _unit(stories[item.item_id.split("-")[0]] + 0.8 * rng.normal(size=384))
    features = batch_features(articles, vectors)
    pairs = list(itertools.combinations(sorted(features), 2))
    for a, b in pairs[:: len(pairs) // 5]:
        assert score_components(features[a], features[b], model).features["embedding"] == pytest.approx(
            sum(x * y for x, y in zip(vectors[a], vectors[b], strict=True)), abs=1e-4
        )
    packed = {item: block_member(item, feature, blocking_keys(feature))[1] for item, feature in features.items()}
    exact = {pair: score(features[pair[0]], features[pair[1]], model) for pair in pairs}
    kept = set(reaching_pairs(pairs, packed, model, floor))
    assert {pair for pair, value in exact.items() if value >= floor} <= kept
    assert 0 < sum(value >= floor for value in exact.values()) < len(pairs) / 2


def _headline_labels(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for story in ("storms", "trial", "climate", "volcano"):
            for item in story_items(story):
                record = {"title": item.title, "published": item.published.isoformat(), "event": item.label}
                handle.write(json.dumps(record) + "\n")
    return path


@needs_extra
def test_grouping_fit_with_embeddings_embeds_the_labels_and_writes_a_model_that_weighs_their_cosine(tmp_path, capsys):
    labels = _headline_labels(tmp_path / "headlines.jsonl")
    out = tmp_path / "model.json"
    assert main(["grouping", "fit", "--labels", str(labels), "--out", str(out), "--embeddings"]) == 0
    assert f"wirebeam run --embeddings --grouping_model {out}" in capsys.readouterr().out
    model = read_model(out)
    assert model.uses_embeddings and model.coefficients["headline"]["embedding"] > 0
    assert "embedding" not in model.coefficients["full_text"]


def test_grouping_fit_with_embeddings_without_the_extra_is_a_usage_error_naming_the_install(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(embeddings, "EXTRA_PACKAGES", ("wirebeam_package_that_is_not_installed",))
    labels = _headline_labels(tmp_path / "headlines.jsonl")
    out = tmp_path / "model.json"
    assert main(["grouping", "fit", "--labels", str(labels), "--out", str(out), "--embeddings"]) == 2
    error = capsys.readouterr().err
    assert "pip install 'wirebeam[embeddings]'" in error and error.count("\n") == 1
    assert not out.exists()


def test_a_model_weighing_embeddings_without_embeddings_is_a_usage_error(seeds_dir, db_path, tmp_path, capsys):
    data = shipped_model().to_dict()
    data["coefficients"]["headline"]["embedding"] = 2.0
    data["features"] = [*data["features"], "embedding"]
    model = tmp_path / "model.json"
    model.write_text(json.dumps(data), encoding="utf-8")
    flags = ["run", "--offline", "--seeds", str(seeds_dir), "--db", str(db_path), "--grouping_model", str(model)]
    assert main(flags) == 2
    assert "run it with --embeddings" in capsys.readouterr().err
    assert not db_path.exists()


def test_the_embeddings_cache_is_kept_only_for_the_encoder_and_rounding_that_made_it(tmp_path, monkeypatch):
    cache, calls = tmp_path / "work" / "embeddings.npz", []

    def embed(texts):  # a stand-in encoder: the length of each text, rounded as the real one rounds
        calls.append(list(texts))
        return [(round(len(text) / 7, embeddings.DECIMALS), 1.0) for text in texts]

    texts = ["Wildfire near Athens", "Rates rise again", "Wildfire near Athens"]
    first = embeddings.cached_embed_all(texts, cache, embed)
    assert [sorted(call) for call in calls] == [["Rates rise again", "Wildfire near Athens"]]
    assert first[0] == first[2] == (2.85714, 1.0)
    assert embeddings.cached_embed_all(texts[:2], cache, embed) == first[:2] and len(calls) == 1, "read back"

    monkeypatch.setattr(embeddings, "DECIMALS", 2)
    assert embeddings.cached_embed_all(texts[:1], cache, embed) == [(2.86, 1.0)] and len(calls) == 2
    real_version = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: "9.9" if name == "sentence-transformers" else real_version(name)
    )
    assert embeddings.cached_embed_all(texts[:1], cache, embed) == [(2.86, 1.0)] and len(calls) == 3
    assert "sentence-transformers==9.9;decimals=2" in embeddings.encoder_id()
