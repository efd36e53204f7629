-- Touched events left without members (an upgraded article's new version joined another event) are removed.
DELETE FROM events
WHERE event_id IN (SELECT event_id FROM touched_events) AND event_id NOT IN (SELECT event_id FROM articles)
