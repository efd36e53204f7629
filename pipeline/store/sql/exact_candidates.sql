-- Stored originals sharing an exact key (``dedup.exact.exact_keys``) with a new original: the content hash or the
-- canonical URL of the original or of one of its stored copies.
WITH keyed AS (
    SELECT s.article_id, 'hash:' || s.content_hash AS exact_key, coalesce(a.duplicate_of, a.article_id) AS stored_id
    FROM staged_articles s JOIN articles a ON s.content_hash = a.content_hash
    WHERE s.duplicate_of IS NULL
    UNION
    SELECT s.article_id, 'url:' || s.canonical_url, coalesce(a.duplicate_of, a.article_id)
    FROM staged_articles s JOIN articles a ON s.canonical_url = a.canonical_url
    WHERE s.duplicate_of IS NULL
)
SELECT k.article_id, k.exact_key, o.article_id, o.published_at, o.source_ref, o.event_id
FROM keyed k JOIN articles o ON o.article_id = k.stored_id
ORDER BY k.article_id, k.exact_key, o.article_id
