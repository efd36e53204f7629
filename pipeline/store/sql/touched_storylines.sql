-- The storylines the touched events belong to now or belonged to before the run (a storyline may lose events).
CREATE OR REPLACE TEMP TABLE touched_storylines AS
SELECT storyline_id FROM events WHERE event_id IN (SELECT event_id FROM touched_events)
UNION SELECT stored_storyline_id FROM touched_events WHERE stored_storyline_id IS NOT NULL
