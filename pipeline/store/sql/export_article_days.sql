-- Each article's export partition: its publication day (UTC), else 'unknown'.
CREATE OR REPLACE TEMP TABLE export_article_days AS
SELECT article_id, coalesce(CAST(CAST(timezone('UTC', published_at) AS DATE) AS VARCHAR), 'unknown') AS day
FROM articles
