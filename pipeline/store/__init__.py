"""Everything that opens DuckDB: the one home of wirebeam's database.

Each table has exactly one module here that writes it (the module's ``WRITES``); the others read it, or decide and
call the writer.

| module | holds | writes |
|---|---|---|
| ``connection`` | opening: session settings, writable connections (schema brought up to date), read-only waits | - |
| ``statements`` | running SQL: ``sql/*.sql`` resources, rows as dicts, Arrow tables readable in SQL, transactions | - |
| ``schema``, ``views`` | generated DDL, migrations of old rows (each in its table's writer), analyst views | schema |
| ``side_inputs`` | Parquet files a run's workers read: term counts, paragraph hashes, stored entries | - |
| ``staged`` | a run's shards as temporary ``staged_<table>`` tables | - |
| ``load`` | the one load of a run's staging shards, in one transaction, calling the others in order | ``rejects`` |
| ``refetch`` | stored fallbacks due again; which staged articles upgrade which stored fallbacks | - |
| ``matching`` | cross-run matching: SQL finds candidates, ``resolve`` decides, one write to the staged run | - |
| ``articles`` | new articles and their rows; fetch states, copies following upgrades, old entry keys | [1] |
| ``features`` | term counts, and re-featurising rows an older recipe made | ``article_features``, ``term_stats`` |
| ``events`` | event aggregates of the events a run touched | ``events`` |
| ``storylines`` | the storylines of stored events (for ``resolve``); storyline aggregates | ``storylines`` |
| ``enrichments`` | event-level enrichment rebuilt from the members' article rows | ``event_*`` enrichment tables |
| ``feeds`` | feed states: merged by the load, changed by ``wirebeam feeds`` | ``feeds`` |
| ``runs`` | the run record | ``runs`` |
| ``queries`` | the analyst's reads: events, export, the report's figures, the run summary | - |

[1] ``articles`` and every article-level table but ``article_features``.

Workers (anything running inside a Beam DoFn) never import this package: they write staging shards, and the
launcher hands them what they need from the database as Parquet files (``side_inputs``).
"""
