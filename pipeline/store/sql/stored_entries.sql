-- The entry keys, canonical URLs, titles and summaries of stored articles (which entries are stored already), and
-- when each was last read (a feed entry updated since is read again).
SELECT entry_key, canonical_url, title, summary, max(ingested_at) AS read_at
FROM articles WHERE entry_key IS NOT NULL OR canonical_url IS NOT NULL
GROUP BY ALL
