-- The features of the candidate stored events' ($limit latest) representatives, latest first, with each event's
-- canonical article. The representatives are chosen before their features are read (1.5-2.5x faster than ranking
-- the join), and ordered, so a summary sums them in the same order every run.
SELECT r.event_id, f.features, e.canonical_article_id
FROM (
    SELECT event_id, article_id, published_at FROM articles
    WHERE event_id IN (SELECT stored_event_id FROM event_candidates)
        AND article_id IN (SELECT article_id FROM article_features)
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY published_at DESC NULLS LAST, article_id) <= $limit
) r
JOIN article_features f USING (article_id)
JOIN events e ON e.event_id = r.event_id
ORDER BY r.event_id, r.published_at DESC NULLS LAST, r.article_id
