-- The run's feed states; two listed feeds can end at one URL (a permanent redirect, http and
-- https): one state for it, the latest success's, with the URLs both moved from.
INSERT INTO feeds BY NAME
SELECT * REPLACE (list_distinct(flatten(list(previous_urls) OVER (PARTITION BY url))) AS previous_urls)
FROM staged_feeds
QUALIFY row_number() OVER (PARTITION BY url ORDER BY last_success_at DESC NULLS LAST, last_polled_at DESC) = 1
