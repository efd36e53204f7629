-- The entry keys, canonical URLs, titles, summaries, feed URLs and feed titles of stored articles (which entries are
-- stored already, and which story a plain GUID names in which feed), and when each was last read (a feed entry updated
-- since is read again).
SELECT entry_key, canonical_url, title, summary, feed_url, feed_title, max(ingested_at) AS read_at
FROM articles WHERE entry_key IS NOT NULL OR canonical_url IS NOT NULL
GROUP BY ALL
