-- Count the terms of the staged run's new originals into ``term_stats``.
INSERT INTO term_stats BY NAME
SELECT term, count(*) AS doc_count
FROM (SELECT unnest(terms) AS term FROM staged_article_features
      WHERE article_id IN (SELECT article_id FROM staged_articles WHERE duplicate_of IS NULL))
GROUP BY term
ON CONFLICT (term) DO UPDATE SET doc_count = term_stats.doc_count + excluded.doc_count
