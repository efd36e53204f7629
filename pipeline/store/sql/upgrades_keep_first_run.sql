-- An upgraded article keeps the run and time that first stored it, and counts the fetch that came.
UPDATE staged_articles s SET run_id = r.old_run_id, ingested_at = r.old_ingested_at,
                             fetch_attempts = r.attempts + 1, next_fetch_at = NULL
FROM refetched r
WHERE r.upgraded AND s.article_id = r.old_id
