-- The end-of-run summary's reject reasons of the run ($run_id), the most frequent first.
SELECT stage || '/' || reason, count(*) FROM rejects WHERE run_id = $run_id
GROUP BY 1 ORDER BY 2 DESC
