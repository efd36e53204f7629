-- Stored feature rows whose version is none of $done, with their article's text and whether their terms are
-- counted in ``term_stats`` (an original's).
SELECT f.article_id, a.title, a.text, a.summary, a.published_at, f.features, f.terms,
       a.duplicate_of IS NULL AS counted
FROM article_features f JOIN articles a USING (article_id)
WHERE NOT list_contains($done, f.features_version)
