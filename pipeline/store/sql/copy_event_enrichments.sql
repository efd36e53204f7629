-- ``event_enrichments`` of the copied events (``copied_enrichment_events``): their article's type, day, language
-- and first keywords, as ``merge_event`` gives them for one article. ``{columns}`` is the table's columns
-- (``pipeline.store.enrichments``): each the article row's of that name unless given here.
INSERT INTO event_enrichments BY NAME
SELECT {columns} FROM (
    SELECT
        e.* REPLACE (
            CASE WHEN e.event_type IS NOT NULL THEN e.event_type_evidence END AS event_type_evidence,
            CASE WHEN e.event_type IS NOT NULL THEN 1.0 END AS event_type_confidence,
            date_trunc('day', e.event_date) AS event_date,
            CASE WHEN e.event_date IS NOT NULL THEN e.event_date_source END AS event_date_source,
            coalesce(e.keywords, [])[1:$event_keywords] AS keywords
        ),
        c.event_id,
        CASE WHEN e.event_type IS NOT NULL THEN c.article_id END AS event_type_article_id,
        CASE WHEN e.event_date IS NOT NULL THEN c.article_id END AS event_date_article_id,
        c.primary_location_id,
        c.primary_location_name,
        c.primary_country_code,
        CASE WHEN e.language IS NOT NULL THEN [e.language] ELSE [] END AS languages
    FROM copied_enrichment_events c JOIN article_enrichments e USING (article_id)
)
