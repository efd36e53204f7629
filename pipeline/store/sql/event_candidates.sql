-- Per new event (``unmatched_events``), the $limit stored events sharing the most blocking keys with it, at least
-- $min_keys of them (``matching.MIN_SHARED_KEYS``). A key held by many stored articles counts only its $window latest
-- (as an oversized block pairs only time neighbours), so the join stays bounded however large the database grows.
WITH staged_keys AS (
    SELECT DISTINCT a.event_id AS staged_event_id, unnest(f.blocking_keys) AS blocking_key
    FROM staged_article_features f JOIN staged_articles a USING (article_id)
    WHERE a.event_id IN (SELECT event_id FROM unmatched_events)
),
stored_keys AS (
    SELECT * FROM (SELECT article_id, unnest(blocking_keys) AS blocking_key FROM article_features)
    WHERE blocking_key IN (SELECT blocking_key FROM staged_keys)
),
recent AS (
    SELECT DISTINCT blocking_key, stored_event_id FROM (
        SELECT k.blocking_key, a.event_id AS stored_event_id
        FROM stored_keys k JOIN articles a USING (article_id)
        QUALIFY row_number() OVER (
            PARTITION BY k.blocking_key ORDER BY a.published_at DESC NULLS LAST, a.article_id
        ) <= $window
    )
),
shared AS (
    -- both sides are distinct (event, key) pairs, so a row per shared key
    SELECT n.staged_event_id, r.stored_event_id, count(*) AS keys
    FROM staged_keys n JOIN recent r USING (blocking_key)
    GROUP BY ALL
    HAVING count(*) >= $min_keys
)
-- the top $limit of each new event by an aggregate, not a window over every pair (2-3x less CPU)
SELECT staged_event_id, unnest(min_by(stored_event_id, (-keys, stored_event_id), $limit)) AS stored_event_id
FROM shared
GROUP BY staged_event_id
