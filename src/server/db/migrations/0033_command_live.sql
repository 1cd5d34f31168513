-- Part live of issue 15: why a call went peer to peer although Janus is configured
-- (callSchema.fallbackReason; 0030 has no column for it). 'janus_down' is the only reason today.
ALTER TABLE command_calls ADD COLUMN fallback_reason text CHECK (length(fallback_reason) <= 40);

-- One ringing or active call per assignment at a time: a second start (two desks pressing
-- "call" together) is 409 command.call.busy, not a second phone ringing on top of the first.
CREATE UNIQUE INDEX command_calls_one_live_idx ON command_calls (assignment_id) WHERE status IN ('ringing', 'active');
