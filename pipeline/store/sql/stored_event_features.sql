-- The features of the candidate stored events' ($limit latest) representatives, with each event's canonical
-- article.
SELECT event_id, features, canonical_article_id FROM (
    SELECT a.event_id, f.features, e.canonical_article_id, row_number() OVER (
        PARTITION BY a.event_id ORDER BY a.published_at DESC NULLS LAST, a.article_id
    ) AS rank
    FROM article_features f JOIN articles a USING (article_id) JOIN events e ON e.event_id = a.event_id
    WHERE a.event_id IN (SELECT stored_event_id FROM event_candidates)
) WHERE rank <= $limit
