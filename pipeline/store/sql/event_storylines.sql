-- The storyline of each stored event named in ``named_events`` (NULL for an event stored before storylines).
SELECT event_id, storyline_id FROM events WHERE event_id IN (SELECT event_id FROM named_events)
