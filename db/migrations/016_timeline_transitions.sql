-- The transitions a process type has made (from one stage to another), read for its state diagram
-- on the pages: an index-only read instead of the whole timeline.
CREATE INDEX timeline_transitions ON timeline_events (process_type, status_from, status_to);
