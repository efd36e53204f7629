-- The report's event types: events per type.
SELECT coalesce(event_type, 'unknown') AS event_type, count(*) AS events
FROM event_summary
GROUP BY 1 ORDER BY 2 DESC, 1
