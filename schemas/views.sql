-- Analyst views over the wirebeam tables: derived, so every writable connection re-creates them
-- (pipeline.views.create_views). Columns are documented in docs/views.md. Days are UTC calendar days.

-- One row per event: what happened, where, when, who took part and who reported it.
CREATE OR REPLACE VIEW event_summary AS
WITH actors AS (
    SELECT event_id,
           list(name ORDER BY name) FILTER (WHERE role = 'party') AS parties,
           list(name ORDER BY name) FILTER (WHERE role = 'mediator') AS mediators
    FROM event_actors GROUP BY event_id
),
reports AS (
    SELECT event_id, list(DISTINCT source ORDER BY source) FILTER (WHERE source IS NOT NULL) AS sources,
           min(ingested_at) AS first_seen_at
    FROM articles GROUP BY event_id
)
SELECT e.event_id, e.title, x.event_type,
       CAST(timezone('UTC', x.event_date) AS DATE) AS event_day, x.event_date_source,
       x.primary_location_name AS primary_location, x.primary_country_code,
       coalesce(a.parties, []) AS parties, coalesce(a.mediators, []) AS mediators,
       e.article_count, e.source_count, coalesce(r.sources, []) AS sources,
       e.first_published_at AS first_reported_at, e.last_published_at AS last_reported_at, r.first_seen_at,
       coalesce(x.keywords, []) AS keywords, e.storyline_id, s.title AS storyline_title,
       s.event_count AS storyline_events
FROM events e
LEFT JOIN event_enrichments x USING (event_id)
LEFT JOIN actors a USING (event_id)
LEFT JOIN reports r USING (event_id)
LEFT JOIN storylines s USING (storyline_id);

-- One row per storyline (a running story): its events, oldest first, with when and how much it was reported.
CREATE OR REPLACE VIEW storyline_summary AS
SELECT s.storyline_id, s.title, s.event_count, s.article_count,
       s.first_published_at AS first_reported_at, s.last_published_at AS last_reported_at,
       list(e.event_id ORDER BY e.first_published_at NULLS LAST, e.event_id) AS event_ids,
       list(e.title ORDER BY e.first_published_at NULLS LAST, e.event_id) AS event_titles
FROM storylines s JOIN events e USING (storyline_id)
GROUP BY ALL;

-- Events per day: the day the event happened when known, else the day it was first reported.
CREATE OR REPLACE VIEW events_by_day AS
SELECT coalesce(event_day, CAST(timezone('UTC', first_reported_at) AS DATE)) AS day,
       count(*) AS events, CAST(sum(article_count) AS BIGINT) AS articles,
       list(DISTINCT event_type ORDER BY event_type) FILTER (WHERE event_type IS NOT NULL) AS event_types,
       list(event_id ORDER BY event_id) AS event_ids
FROM event_summary GROUP BY ALL;

-- Every unordered pair of actors of an event (actor_a_id < actor_b_id), with their roles in it.
CREATE OR REPLACE VIEW event_actor_pairs AS
SELECT a.event_id, s.event_day, a.actor_id AS actor_a_id, a.name AS actor_a, a.role AS role_a,
       b.actor_id AS actor_b_id, b.name AS actor_b, b.role AS role_b
FROM event_actors a JOIN event_actors b ON a.event_id = b.event_id AND a.actor_id < b.actor_id
JOIN event_summary s ON s.event_id = a.event_id;

-- Events per pair of actors, over all events; events_as_participants counts those where both are party or mediator.
CREATE OR REPLACE VIEW events_by_actor_pair AS
SELECT actor_a_id, mode(actor_a) AS actor_a, actor_b_id, mode(actor_b) AS actor_b,
       count(*) AS events,
       count(*) FILTER (WHERE role_a <> 'mentioned' AND role_b <> 'mentioned') AS events_as_participants,
       min(event_day) AS first_day, max(event_day) AS last_day,
       list(event_id ORDER BY event_id) AS event_ids
FROM event_actor_pairs GROUP BY actor_a_id, actor_b_id;

-- Who reported each event and when: outlets, first and last report, the outlet that was first.
CREATE OR REPLACE VIEW event_coverage AS
SELECT e.event_id, e.title, e.article_count, e.source_count,
       coalesce(list(DISTINCT a.source ORDER BY a.source) FILTER (WHERE a.source IS NOT NULL), []) AS sources,
       count(*) FILTER (WHERE a.source IS NULL) AS unknown_source_articles,
       e.first_published_at AS first_reported_at, e.last_published_at AS last_reported_at,
       arg_min(a.source, a.published_at) FILTER (WHERE a.source IS NOT NULL AND a.published_at IS NOT NULL)
           AS first_source,
       round(date_diff('second', e.first_published_at, e.last_published_at) / 3600, 1) AS report_span_hours,
       min(a.ingested_at) AS first_seen_at
FROM events e JOIN articles a USING (event_id)
GROUP BY e.event_id, e.title, e.article_count, e.source_count, e.first_published_at, e.last_published_at;

-- Articles per outlet (source NULL: outlet unknown), with how many were original reports.
CREATE OR REPLACE VIEW articles_per_source AS
SELECT a.source, count(*) AS articles,
       count(*) FILTER (WHERE a.duplicate_of IS NULL AND a.near_duplicate_of IS NULL) AS original_articles,
       count(DISTINCT a.event_id) AS events,
       min(a.published_at) AS first_published_at, max(a.published_at) AS last_published_at,
       list(DISTINCT x.language ORDER BY x.language) FILTER (WHERE x.language IS NOT NULL) AS languages
FROM articles a LEFT JOIN article_enrichments x USING (article_id)
GROUP BY a.source;
