-- Per new event (``unmatched_events``), the $limit stored events sharing the most blocking keys with it.
WITH staged_keys AS (
    SELECT DISTINCT a.event_id AS staged_event_id, unnest(f.blocking_keys) AS blocking_key
    FROM staged_article_features f JOIN staged_articles a USING (article_id)
    WHERE a.event_id IN (SELECT event_id FROM unmatched_events)
),
stored_keys AS (
    SELECT article_id, unnest(blocking_keys) AS blocking_key FROM article_features
),
shared AS (
    SELECT n.staged_event_id, a.event_id AS stored_event_id, count(DISTINCT n.blocking_key) AS keys
    FROM staged_keys n JOIN stored_keys o USING (blocking_key) JOIN articles a ON a.article_id = o.article_id
    GROUP BY ALL
)
SELECT staged_event_id, stored_event_id FROM (
    SELECT *, row_number() OVER (PARTITION BY staged_event_id ORDER BY keys DESC, stored_event_id) AS rank
    FROM shared
) WHERE rank <= $limit
