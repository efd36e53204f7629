"""Beam's Dask runner with a bound on each collection's partitions (``--runner=DaskRunner`` runs this).

Beam 2.77's runner translates ``Flatten`` to ``dask.bag.concat``, which adds up the partitions of its inputs, and
``GroupByKey`` to ``Bag.groupby``, which keeps them, so every join (a ``CoGroupByKey`` is a ``Flatten`` and a
``GroupByKey``) grows the partition count. wirebeam's graph joins articles back to their keys several times: on the
five seed files it reached 2,988 partitions and ~60,000 tasks, and the scheduler spent its time optimising the
graph instead of running it. This runner repartitions any collection above the bound; nothing else changes.
"""

from __future__ import annotations

from apache_beam.runners.dask.dask_runner import DaskRunner


def partition_bound(source_partitions: int, worker_threads: int) -> int:
    """At most as many partitions as the largest input has, or as the cluster has threads, whichever is more."""
    return max(1, source_partitions, worker_threads)


def _worker_threads() -> int:
    """Threads of the cluster the runner's client is connected to (0 without one)."""
    from distributed import default_client

    try:
        return sum(default_client().nthreads().values())
    except ValueError:  # no client
        return 0


class BoundedDaskRunner(DaskRunner):
    """``DaskRunner`` whose collections keep at most ``partition_bound`` partitions."""

    @staticmethod
    def to_dask_bag_visitor(bag_kwargs=None):
        visitor = DaskRunner.to_dask_bag_visitor(bag_kwargs)
        translate = visitor.visit_transform
        threads = _worker_threads()
        sources = [0]

        def visit_transform(transform_node) -> None:
            translate(transform_node)
            bag = visitor.bags.get(transform_node)
            if bag is None or not hasattr(bag, "npartitions"):
                return
            if not transform_node.inputs or all(
                getattr(value, "producer", None) is None for value in transform_node.inputs
            ):
                sources[0] = max(sources[0], bag.npartitions)  # a Create: its partitions are the input's
                return
            bound = partition_bound(sources[0], threads)
            if bag.npartitions > bound:
                visitor.bags[transform_node] = bag.repartition(npartitions=bound)

        visitor.visit_transform = visit_transform
        return visitor
