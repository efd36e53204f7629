-- The terms of the originals whose features are deleted (``deleted_features``) leave ``term_stats``.
UPDATE term_stats t SET doc_count = t.doc_count - old.articles
FROM (SELECT term, count(*) AS articles
      FROM (SELECT unnest(terms) AS term FROM article_features
            WHERE article_id IN (SELECT article_id FROM deleted_features))
      GROUP BY term) old
WHERE t.term = old.term
