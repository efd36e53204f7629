-- The entry keys, canonical URLs, titles and summaries of stored articles (which entries are stored already).
SELECT DISTINCT entry_key, canonical_url, title, summary FROM articles WHERE entry_key IS NOT NULL OR canonical_url IS NOT NULL
