"""Everything that opens DuckDB: the one home of wirebeam's database.

| module | holds | writes |
|---|---|---|
| ``connection`` | session settings, writable and read-only connections, rows as dicts, SQL resources | - |
| ``schema`` | tables and columns from ``schemas/``, migrations of old rows, the views (``views``) | schema |
| ``side_inputs`` | Parquet files a run's workers read: term counts, paragraph hashes, stored entries | - |
| ``load`` | the one load of a run's staging shards, in one transaction | ``articles``, article tables, ``rejects`` |
| ``refetch`` | stored fallbacks due again; the run's new fetches of them | fetch state of ``articles`` |
| ``matching`` | cross-run matching: SQL finds candidates, ``resolve`` decides, one write | the staged run |
| ``features`` | term counts, and re-featurising rows an older recipe made | ``term_stats``, ``article_features`` |
| ``events`` | event aggregates of the events a run touched | ``events`` |
| ``storylines`` | the storylines of stored events (for ``resolve``); storyline aggregates | ``storylines`` |
| ``enrichments`` | event-level enrichment rebuilt from the members' article rows | ``event_*`` enrichment tables |
| ``feeds`` | feed states: merged by the load, changed by ``wirebeam feeds`` | ``feeds`` |
| ``runs`` | the run record | ``runs`` |
| ``queries`` | the analyst's reads: events, export, the report's figures, the run summary | - |

Workers (anything running inside a Beam DoFn) never import this package: they write staging shards, and the
launcher hands them what they need from the database as Parquet files (``side_inputs``).
"""
