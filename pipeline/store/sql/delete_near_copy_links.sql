-- The links (of $method) of stored near-copies no longer near their parent go (``near_copies``).
DELETE FROM article_links
WHERE method = $method AND (article_id, other_article_id) IN (
    SELECT (article_id, parent_id) FROM near_copies WHERE score IS NULL
)
