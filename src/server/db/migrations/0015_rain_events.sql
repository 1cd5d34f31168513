-- Red-packet rain on Redis: the grab script appends every attempt to a stream that the worker
-- writes to PostgreSQL. A log row remembers its stream entry, so an entry written twice (a
-- worker that died between commit and acknowledgement) is logged once.
ALTER TABLE rain_grab_log ADD COLUMN event_id text;
CREATE UNIQUE INDEX rain_grab_log_event_idx ON rain_grab_log (session_id, event_id) WHERE event_id IS NOT NULL;
