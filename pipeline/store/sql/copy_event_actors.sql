-- ``event_actors`` of the copied events (``copied_enrichment_events``): their article's actors. ``{columns}`` is
-- the table's columns (``pipeline.store.enrichments``): each the article row's of that name unless given here.
INSERT INTO event_actors BY NAME
SELECT {columns} FROM (
    SELECT
        x.*,
        wirebeam_row_key([c.event_id, x.actor_id]) AS event_actor_id,
        c.event_id,
        [c.article_id] AS article_ids
    FROM copied_enrichment_events c JOIN article_actors x USING (article_id)
)
