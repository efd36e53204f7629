-- The entry keys, canonical URLs and titles of stored articles (which entries are stored already).
SELECT DISTINCT entry_key, canonical_url, title FROM articles WHERE entry_key IS NOT NULL OR canonical_url IS NOT NULL
