-- Document frequencies of the $needed_terms over the stored originals (``term_stats``) and the staged run's new
-- ones (as ``count_staged_terms`` will count them), and the number of documents they are out of. The run's terms
-- are counted before they are matched to the needed ones (matching each of the ~600k unnested terms first took 4x
-- the CPU).
WITH staged AS (
    SELECT terms FROM staged_article_features
    WHERE article_id IN (SELECT article_id FROM staged_articles WHERE duplicate_of IS NULL)
),
counts AS (
    SELECT term, doc_count FROM term_stats WHERE term IN (SELECT term FROM needed_terms)
    UNION ALL
    SELECT * FROM (SELECT term, count(*) FROM (SELECT unnest(terms) AS term FROM staged) GROUP BY term)
    WHERE term IN (SELECT term FROM needed_terms)
)
SELECT term, sum(doc_count)::BIGINT FROM counts GROUP BY term
UNION ALL
SELECT NULL, (SELECT count(*) FROM article_features) + (SELECT count(*) FROM staged)
