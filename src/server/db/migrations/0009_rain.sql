-- Red-packet rain (docs/rain.md): sessions, their audited split, wins and every grab attempt.
-- PostgreSQL is the source of truth; Redis (when configured) runs the live grab and is
-- reconciled into these tables.

CREATE TABLE rain_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES campaigns(id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  budget_fen bigint NOT NULL CHECK (budget_fen > 0),
  packet_count integer NOT NULL CHECK (packet_count > 0),
  eligibility jsonb NOT NULL DEFAULT '{"requireSubmission": false, "maxGrabsPerContributor": 1}',
  -- Set once the budget has been split into rain_packets (never re-split).
  split_at timestamptz,
  settled_at timestamptz,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (budget_fen >= packet_count),
  UNIQUE (campaign_id, starts_at)
);
CREATE INDEX rain_sessions_starts_idx ON rain_sessions (starts_at) WHERE settled_at IS NULL;

-- The split, kept for audit: amounts sum to the session's budget.
CREATE TABLE rain_packets (
  session_id uuid NOT NULL REFERENCES rain_sessions(id),
  idx integer NOT NULL CHECK (idx >= 0),
  amount_fen bigint NOT NULL CHECK (amount_fen >= 1),
  winner_user_id uuid REFERENCES users(id),
  won_at timestamptz,
  grab_id uuid,
  PRIMARY KEY (session_id, idx)
);
CREATE INDEX rain_packets_unclaimed_idx ON rain_packets (session_id, idx) WHERE winner_user_id IS NULL;

-- One win per contributor per session, one winner per packet.
CREATE TABLE rain_grabs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES rain_sessions(id),
  user_id uuid NOT NULL REFERENCES users(id),
  packet_idx integer NOT NULL,
  amount_fen bigint NOT NULL CHECK (amount_fen >= 1),
  won_at timestamptz NOT NULL,
  ip text,
  -- 'redis' | 'postgres' | 'reconcile': which path wrote the row.
  source text NOT NULL CHECK (source IN ('redis', 'postgres', 'reconcile')),
  held boolean NOT NULL DEFAULT false,
  hold_reason text,
  released_at timestamptz,
  released_by uuid REFERENCES users(id),
  transfer_id uuid REFERENCES ledger_transfers(id),
  CONSTRAINT rain_grabs_session_user UNIQUE (session_id, user_id),
  CONSTRAINT rain_grabs_session_packet UNIQUE (session_id, packet_idx),
  FOREIGN KEY (session_id, packet_idx) REFERENCES rain_packets(session_id, idx)
);
CREATE INDEX rain_grabs_user_idx ON rain_grabs (user_id);

-- Every attempt, won or refused, for review (written in batches).
CREATE TABLE rain_grab_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id uuid NOT NULL,
  user_id uuid,
  ip text,
  user_agent text,
  at timestamptz NOT NULL,
  outcome text NOT NULL,
  amount_fen bigint
);
CREATE INDEX rain_grab_log_session_idx ON rain_grab_log (session_id, at);
