-- ``event_locations`` of the copied events (``copied_enrichment_events``): their article's places, only the
-- event's primary place primary. ``{columns}`` is the table's columns (``pipeline.store.enrichments``): each the
-- article row's of that name unless given here.
INSERT INTO event_locations BY NAME
SELECT {columns} FROM (
    SELECT
        l.* REPLACE (coalesce(l.location_id = c.primary_location_id, false) AS is_primary),
        wirebeam_row_key([c.event_id, l.location_id]) AS event_location_id,
        c.event_id,
        [c.article_id] AS article_ids
    FROM copied_enrichment_events c JOIN article_locations l USING (article_id)
)
