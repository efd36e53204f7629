-- ``event_locations`` of the copied events (``copied_enrichment_events``): their article's places, only the
-- event's primary place primary.
INSERT INTO event_locations BY NAME
SELECT
    wirebeam_row_key([c.event_id, l.location_id]) AS event_location_id,
    c.event_id,
    l.location_id,
    l.name,
    l.kind,
    l.country_code,
    l.latitude,
    l.longitude,
    coalesce(l.location_id = c.primary_location_id, false) AS is_primary,
    l.score,
    l.mentions,
    c.article_id,
    [c.article_id] AS article_ids,
    l.evidence
FROM copied_enrichment_events c JOIN article_locations l USING (article_id)
