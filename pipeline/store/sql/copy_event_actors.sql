-- ``event_actors`` of the copied events (``copied_enrichment_events``): their article's actors.
INSERT INTO event_actors BY NAME
SELECT
    wirebeam_row_key([c.event_id, x.actor_id]) AS event_actor_id,
    c.event_id,
    x.actor_id,
    x.name,
    x.kind,
    x.country_iso2,
    x.country_iso3,
    x.role,
    x.mentions,
    c.article_id,
    [c.article_id] AS article_ids,
    x.evidence
FROM copied_enrichment_events c JOIN article_actors x USING (article_id)
