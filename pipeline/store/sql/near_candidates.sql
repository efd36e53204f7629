-- Stored originals sharing an LSH band key with a new original not matched yet (``matched_articles``), with both
-- texts for exact verification; not an upgraded article's own near-copies (``pipeline.store.refetch`` checks those).
WITH staged_keys AS (
    SELECT s.article_id, unnest(s.band_keys) AS band_key
    FROM staged_article_signatures s JOIN staged_articles a USING (article_id)
    WHERE a.duplicate_of IS NULL AND a.article_id NOT IN (SELECT article_id FROM matched_articles)
),
stored_keys AS (
    SELECT article_id AS stored_id, unnest(band_keys) AS band_key FROM article_signatures
),
pairs AS (
    SELECT DISTINCT n.article_id, o.stored_id FROM staged_keys n JOIN stored_keys o USING (band_key)
)
SELECT p.article_id, n.text, stored.article_id, stored.published_at, stored.source_ref, stored.event_id, stored.text
FROM pairs p
JOIN staged_articles n ON n.article_id = p.article_id
JOIN articles stored ON stored.article_id = p.stored_id
WHERE stored.near_duplicate_of IS DISTINCT FROM p.article_id
ORDER BY p.article_id, stored.article_id
