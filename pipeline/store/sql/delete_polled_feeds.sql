-- The stored states of the run's polled feeds, and of the URLs they moved from, go.
DELETE FROM feeds
WHERE url IN (SELECT url FROM staged_feeds UNION ALL SELECT unnest(previous_urls) FROM staged_feeds)
