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
        return edges | "CollectEdges" >> beam.combiners.ToList() | "UnionFind" >> beam.FlatMap(_roots_by_id)
