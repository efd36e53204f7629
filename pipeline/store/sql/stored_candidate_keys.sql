-- The stored events holding each key of the new events (``staged_candidate_keys``), numbered in event ID order
-- (``stored``; ``matching.candidate_events``). A key held by many stored articles counts only its $window latest
-- (as an oversized block pairs only time neighbours), so the join stays bounded however large the database grows.
CREATE OR REPLACE TEMP TABLE stored_candidate_keys AS
WITH stored_keys AS (
    SELECT * FROM (SELECT article_id, unnest(blocking_keys) AS blocking_key FROM article_features)
    WHERE blocking_key IN (SELECT blocking_key FROM staged_candidate_keys)
),
recent AS (
    SELECT DISTINCT blocking_key, stored_event_id FROM (
        SELECT k.blocking_key, a.event_id AS stored_event_id
        FROM stored_keys k JOIN articles a USING (article_id)
        QUALIFY row_number() OVER (
            PARTITION BY k.blocking_key ORDER BY a.published_at DESC NULLS LAST, a.article_id
        ) <= $window
    )
)
SELECT blocking_key, stored_event_id, (dense_rank() OVER (ORDER BY stored_event_id) - 1)::INTEGER AS stored
FROM recent
