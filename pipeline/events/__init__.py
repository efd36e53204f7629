"""Event grouping: reports of one happening become one event.

``features`` (what an article is compared by), ``blocking`` (which pairs are compared), ``score`` (the learned
pair scorer, its model file format in ``model``, fitted by ``fit``), ``cluster`` (within a run and across runs),
``embeddings`` (optional sentence embeddings) and ``stage`` (the Beam stage that distributes them).
"""
