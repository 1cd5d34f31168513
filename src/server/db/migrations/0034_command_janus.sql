-- Part janus of issue 15 (docs/command-janus.md): why a call's recording did not become a desk
-- item (recording_status 'failed'), for the desk and for operators. A column here rather than in
-- 0030's table definition, which belongs to the foundation.
ALTER TABLE command_calls ADD COLUMN recording_error text CHECK (length(recording_error) <= 500);
