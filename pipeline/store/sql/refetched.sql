-- The staged run's new fetches of stored fallbacks (same entry key; forced, or of a $retryable reason): one stored
-- fallback per staged article and one staged article per fallback (a page that came first).
CREATE OR REPLACE TEMP TABLE refetched AS
SELECT s.article_id AS new_id, a.article_id AS old_id, s.event_id AS new_event, a.event_id AS old_event,
       s.fallback_reason IS NULL AS upgraded, s.fallback_reason AS reason, a.fetch_attempts AS attempts,
       a.run_id AS old_run_id, a.ingested_at AS old_ingested_at
FROM staged_articles s JOIN articles a ON s.entry_key = a.entry_key
WHERE s.origin = 'feed' AND a.origin = 'feed' AND a.fallback_reason IS NOT NULL AND a.duplicate_of IS NULL
  AND (a.next_fetch_at = $forced OR list_contains($retryable, a.fallback_reason))
QUALIFY row_number() OVER (PARTITION BY s.article_id ORDER BY a.ingested_at, a.article_id) = 1
    AND row_number() OVER (PARTITION BY a.article_id ORDER BY s.fallback_reason NULLS FIRST, s.article_id) = 1
