"""Named outputs of a stage, made so that every Beam runner can run them.

A stage's DoFn emits one PCollection: its main elements as they are and every other output wrapped in
:class:`Tagged` (``Tagged(REJECTS, reject)``); :class:`SplitOutputs` derives the named outputs from it with one
single-output step each. This replaces ``ParDo(...).with_outputs(...)``, which Beam 2.77's Dask runner cannot run:
it hands every output of a multi-output ParDo to each consumer of any of them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import apache_beam as beam


class Tagged(NamedTuple):
    """An element of a stage's output named ``tag`` (the main output's elements are not wrapped)."""

    tag: str
    value: Any


class Outputs(dict):
    """A stage's named PCollections, read as ``outputs.rejects`` or ``outputs[REJECTS]``."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no output {name!r}; the outputs are {sorted(self)}") from None


def _main(element, tags: frozenset[str]):
    if not isinstance(element, Tagged):
        return [element]
    if element.tag not in tags:
        raise ValueError(f"output tag {element.tag!r} was not declared; declared: {sorted(tags)}")
    return []


def _tagged(element, tag: str):
    return [element.value] if isinstance(element, Tagged) and element.tag == tag else []


class SplitOutputs(beam.PTransform):
    """One PCollection of main elements and ``Tagged`` ones -> :class:`Outputs` (``main`` and one per tag);
    the counterpart of ``.with_outputs(*tags, main=main)``."""

    def __init__(self, *tags: str, main: str):
        super().__init__()
        if main in tags or len(set(tags)) != len(tags):
            raise ValueError(f"output names must be distinct: main={main!r}, tags={tags!r}")
        self._tags = tags
        self._main = main

    def expand(self, union):
        outputs = Outputs({self._main: union | f"Only_{self._main}" >> beam.FlatMap(_main, frozenset(self._tags))})
        for tag in self._tags:
            outputs[tag] = union | f"Only_{tag}" >> beam.FlatMap(_tagged, tag)
        return outputs
