-- Disable or enable a feed ($url, $disabled); a feed never polled gets a row of its own.
INSERT INTO feeds (url, consecutive_failures, previous_urls, entry_count, updated_run_id, disabled)
VALUES ($url, 0, [], 0, 'wirebeam feeds', $disabled)
ON CONFLICT (url) DO UPDATE SET disabled = excluded.disabled
