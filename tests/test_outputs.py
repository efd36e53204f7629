"""A stage's named outputs derived from its one output PCollection."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from pipeline.errors import REJECTS
from pipeline.outputs import SplitOutputs, Tagged


def _parse(text: str):
    if text.isdigit():
        yield int(text)
    elif text.startswith("#"):
        yield Tagged("comments", text[1:])
    else:
        yield Tagged(REJECTS, text)


def test_each_named_output_holds_its_own_elements_only():
    with test_pipeline.TestPipeline() as pipeline:
        outputs = (
            pipeline
            | beam.Create(["1", "#note", "x", "2", "y"])
            | beam.FlatMap(_parse)
            | SplitOutputs(REJECTS, "comments", main="numbers")
        )
        assert_that(outputs.numbers, equal_to([1, 2]), label="numbers")
        assert_that(outputs[REJECTS], equal_to(["x", "y"]), label="rejects")
        assert_that(outputs.comments, equal_to(["note"]), label="comments")


def test_an_undeclared_tag_fails_the_run_instead_of_vanishing():
    with pytest.raises(Exception, match="'comments' was not declared"), test_pipeline.TestPipeline() as pipeline:
        _ = pipeline | beam.Create(["#note"]) | beam.FlatMap(_parse) | SplitOutputs(REJECTS, main="numbers")


def test_output_names_must_be_distinct_and_reading_an_unknown_one_says_which_exist():
    with pytest.raises(ValueError, match="distinct"):
        SplitOutputs(REJECTS, REJECTS, main="numbers")
    with test_pipeline.TestPipeline() as pipeline:
        outputs = pipeline | beam.Create(["1"]) | SplitOutputs(REJECTS, main="numbers")
        with pytest.raises(AttributeError, match="the outputs are"):
            _ = outputs.comments
