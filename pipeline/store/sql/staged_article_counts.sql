-- The run's counts of articles: new, upgraded (stored by an earlier run), exact copies, near-copies, junk bodies.
SELECT count(*) FILTER (run_id = $run_id), count(*) FILTER (run_id <> $run_id), count(duplicate_of),
       count(near_duplicate_of), count(*) FILTER (body_status <> 'ok')
FROM staged_articles
