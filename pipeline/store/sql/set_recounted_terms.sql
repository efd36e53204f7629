-- Stored feature rows take their terms counted anew (``recounted_terms``).
UPDATE article_features SET terms = r.terms
FROM recounted_terms r
WHERE article_features.article_id = r.article_id
