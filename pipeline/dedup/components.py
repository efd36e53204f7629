"""Connected components over "same as" edges, each rooted at its smallest node (callers rank nodes).

Nodes are ``(rank, id)`` tuples so that the root of a component is its best-ranked member: for duplicates,
the original. Grouping by key runs distributed; the union-find runs once over the (small) edge list.
"""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam

Node = tuple


def connected_components(edges: Iterable[tuple[Node, Node]]) -> dict[Node, Node]:
    """Node -> root (smallest node) of its component, for every node of an edge; union-find, path halving."""
    parent: dict[Node, Node] = {}

    def find(node: Node) -> Node:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right in edges:
        root_left, root_right = find(left), find(right)
        if root_left != root_right:
            low, high = sorted((root_left, root_right))
            parent[high] = low
    return {node: find(node) for node in list(parent)}


def edges_to_first(nodes: Iterable[Node]) -> list[tuple[Node, Node]]:
    """Edges joining every node of a group to the group's smallest node."""
    ordered = sorted(set(nodes))
    return [(node, ordered[0]) for node in ordered[1:]]


def _roots_by_id(edges: list[tuple[Node, Node]]) -> Iterable[tuple[str, str]]:
    for node, root in connected_components(edges).items():
        yield node[-1], root[-1]


class ResolveComponents(beam.PTransform):
    """Edges ``((rank, id), (rank, id))`` -> ``(id, root id)`` for every node in a component of two or more."""

    def expand(self, edges):
        # without defaults: no edges give no list (the same nothing), and no side input is made for an empty list
        collected = edges | "CollectEdges" >> beam.combiners.ToList().without_defaults()
        return collected | "UnionFind" >> beam.FlatMap(_roots_by_id)


def _values_to_left(joined):
    _, grouped = joined
    values = list(grouped["value"])
    if values:
        for pair in grouped["pair"]:
            yield pair[1], (pair, values[0])


def _values_to_right(joined):
    _, grouped = joined
    values = list(grouped["value"])
    if values:
        for pair, left_value in grouped["half"]:
            yield pair[0], pair[1], left_value, values[0]


class AttachToPairs(beam.PTransform):
    """Pairs ``(a, b)`` -> ``(a, b, value of a, value of b)``, by two joins with ``values`` (``(id, value)``).

    A pair naming an id without a value is left out.
    """

    def __init__(self, values):
        super().__init__()
        self._values = values

    def expand(self, pairs):
        halves = (
            {"value": self._values, "pair": pairs | "KeyByLeft" >> beam.Map(lambda pair: (pair[0], pair))}
            | "JoinLeftValues" >> beam.CoGroupByKey()
            | "KeyByRight" >> beam.FlatMap(_values_to_left)
        )
        return (
            {"value": self._values, "half": halves}
            | "JoinRightValues" >> beam.CoGroupByKey()
            | "PairWithValues" >> beam.FlatMap(_values_to_right)
        )
