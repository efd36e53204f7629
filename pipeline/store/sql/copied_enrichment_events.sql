-- The touched events whose enrichment is their one article's, copied (``pipeline.store.enrichments``): a single
-- original member with enrichment rows, none of which ``merge_event`` would change or fail on (a one-word actor
-- that may be a person's surname in the same article, repeated keywords, an event type without a score, a figure
-- whose value compares unlike Python's), with the article's primary place (most salient, then greatest ID).
CREATE OR REPLACE TEMP TABLE copied_enrichment_events AS
WITH single AS (
    SELECT a.event_id, any_value(a.article_id) AS article_id
    FROM articles a JOIN touched_events USING (event_id) JOIN article_enrichments USING (article_id)
    WHERE a.duplicate_of IS NULL
    GROUP BY a.event_id HAVING count(*) = 1
), surname_clash AS (
    SELECT DISTINCT x.article_id
    FROM single JOIN article_actors x USING (article_id) JOIN article_actors p USING (article_id)
    WHERE x.kind IN ('person', 'organisation') AND NOT contains(x.name, ' ')
      AND p.kind = 'person' AND p.actor_id <> x.actor_id
      AND wirebeam_fold(x.name) = list_last(string_split(wirebeam_fold(p.name), ' '))
), odd_figure AS (
    SELECT DISTINCT article_id FROM single JOIN article_figures f USING (article_id)
    WHERE f.value = 0 OR isnan(f.value)
), primary_place AS (
    SELECT article_id, location_id, name, country_code
    FROM single JOIN article_locations USING (article_id)
    WHERE is_primary
    QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY score DESC, location_id DESC) = 1
)
SELECT s.event_id, s.article_id, p.location_id AS primary_location_id, p.name AS primary_location_name,
    p.country_code AS primary_country_code
FROM single s JOIN article_enrichments e USING (article_id) LEFT JOIN primary_place p USING (article_id)
WHERE len(list_distinct(coalesce(e.keywords, []))) = len(coalesce(e.keywords, []))
  AND (e.event_type IS NULL OR coalesce(e.event_type_score, 0) <> 0)
  AND s.article_id NOT IN (SELECT article_id FROM surname_clash)
  AND s.article_id NOT IN (SELECT article_id FROM odd_figure)
