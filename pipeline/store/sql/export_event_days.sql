-- Each event's export partition: the day it happened, else first reported (UTC), else 'unknown'.
CREATE OR REPLACE TEMP TABLE export_event_days AS
SELECT e.event_id,
       coalesce(CAST(CAST(timezone('UTC', coalesce(x.event_date, e.first_published_at)) AS DATE) AS VARCHAR),
                'unknown') AS day
FROM events e LEFT JOIN event_enrichments x USING (event_id)
