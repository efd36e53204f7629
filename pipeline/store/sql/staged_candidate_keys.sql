-- The blocking keys of each new event (``unmatched_events``, numbered by ``position``), once each
-- (``matching.candidate_events``).
CREATE OR REPLACE TEMP TABLE staged_candidate_keys AS
SELECT DISTINCT u.position AS staged, unnest(f.blocking_keys) AS blocking_key
FROM staged_article_features f JOIN staged_articles a USING (article_id) JOIN unmatched_events u USING (event_id)
