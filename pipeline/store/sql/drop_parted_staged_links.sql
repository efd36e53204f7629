-- The run's event links whose two articles (new, or stored) cross-run clustering left in different events are not
-- stored: a new event's reports may part (``matching.regroup``), and a kept link would claim the two are one event
-- (as ``drop_split_event_links`` for stored ones).
DELETE FROM staged_article_links
WHERE method = 'event' AND link_id IN (
    WITH placed AS (
        SELECT article_id, event_id FROM staged_articles
        UNION ALL SELECT article_id, event_id FROM articles
        WHERE article_id IN (SELECT other_article_id FROM staged_article_links WHERE method = 'event')
    )
    SELECT l.link_id
    FROM staged_article_links l JOIN placed a ON a.article_id = l.article_id
    JOIN placed o ON o.article_id = l.other_article_id
    WHERE l.method = 'event' AND a.event_id <> o.event_id
)
