-- The links (of $method) of stored near-copies still near their parent take the new score (``near_copies``).
UPDATE article_links l SET score = c.score
FROM near_copies c
WHERE l.article_id = c.article_id AND l.other_article_id = c.parent_id AND l.method = $method AND c.score IS NOT NULL
