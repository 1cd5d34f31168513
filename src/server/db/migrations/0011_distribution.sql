-- Distribution and propagation (docs/distribution.md, docs/propagation.md): platform accounts,
-- one publication per adopted video per channel with its history, the metrics time series,
-- own-channel view beacons, weekly charts, grand-prize nominations and contributor notices.

-- One connected account per external platform. `credentials` is an AES-256-GCM blob
-- (app id/secret and tokens); it is never sent to a browser.
CREATE TABLE channel_accounts (
  channel text PRIMARY KEY CHECK (channel IN ('weibo', 'wechat', 'toutiao', 'penguin')),
  credentials text,
  status text NOT NULL DEFAULT 'disconnected' CHECK (status IN ('connected', 'reconnect', 'disconnected')),
  enabled boolean NOT NULL DEFAULT true,
  access_expires_at timestamptz,
  refresh_expires_at timestamptz,
  last_error text,
  updated_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- An adopted video on one channel. The idempotency key is fixed at creation, so a retry
-- (the job's, or an editor's) never posts twice; `checkpoint` keeps each step's result.
CREATE TABLE publications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  submission_id uuid NOT NULL REFERENCES submissions(id),
  channel text NOT NULL CHECK (channel IN ('app', 'weibo', 'wechat', 'toutiao', 'penguin', 'kiosk')),
  status text NOT NULL CHECK (status IN ('queued', 'publishing', 'pending', 'live', 'failed', 'unpublishing', 'unpublished')),
  idempotency_key text NOT NULL UNIQUE,
  not_before timestamptz,
  checkpoint jsonb NOT NULL DEFAULT '{}',
  external_id text,
  url text,
  attempts integer NOT NULL DEFAULT 0,
  -- A worker holds the publication while it talks to the platform; a crashed one's lease runs out.
  lease_until timestamptz,
  error_class text CHECK (error_class IN ('auth_expired', 'rate_limited', 'content_rejected', 'transient')),
  error text,
  published_at timestamptz,
  unpublished_at timestamptz,
  -- The highest figures seen (platforms sometimes report less than before; see metric_samples).
  views bigint NOT NULL DEFAULT 0,
  likes bigint NOT NULL DEFAULT 0,
  shares bigint NOT NULL DEFAULT 0,
  comments bigint NOT NULL DEFAULT 0,
  metrics_at timestamptz,
  metrics_due_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (submission_id, channel)
);
CREATE INDEX publications_metrics_due_idx ON publications (metrics_due_at) WHERE status = 'live';
CREATE INDEX publications_status_idx ON publications (status, not_before);

-- What happened to a publication, in order: the desk's history and the audit of retries.
CREATE TABLE publication_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  publication_id uuid NOT NULL REFERENCES publications(id),
  at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL,
  error_class text,
  message text,
  actor_id uuid REFERENCES users(id)
);
CREATE INDEX publication_events_pub_idx ON publication_events (publication_id, id);

-- Every figure ever pulled, as reported (even when lower than before: `regressed`).
CREATE TABLE metric_samples (
  publication_id uuid NOT NULL REFERENCES publications(id),
  sampled_at timestamptz NOT NULL,
  views bigint,
  likes bigint,
  shares bigint,
  comments bigint,
  extra jsonb NOT NULL DEFAULT '{}',
  regressed boolean NOT NULL DEFAULT false,
  PRIMARY KEY (publication_id, sampled_at)
);

-- Own-channel views: one per viewer per video per hour (the key makes duplicates no-ops).
-- `channel` is 'app' (site and app) or 'kiosk' (plays reported by screens).
CREATE TABLE view_beacons (
  submission_id uuid NOT NULL REFERENCES submissions(id),
  channel text NOT NULL CHECK (channel IN ('app', 'kiosk')),
  viewer text NOT NULL,
  hour timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (submission_id, channel, viewer, hour)
);

-- Kiosk screens: each pulls its playlist feed with its own key (stored hashed).
CREATE TABLE kiosk_screens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
  key_hash text NOT NULL UNIQUE,
  campaign_id uuid REFERENCES campaigns(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz
);

-- The frozen weekly Top 10 (风云榜). One row per campaign and ISO week, written once.
CREATE TABLE weekly_charts (
  campaign_id uuid NOT NULL REFERENCES campaigns(id),
  week text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
  rank_by text NOT NULL CHECK (rank_by IN ('index', 'reach')),
  frozen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, week)
);
CREATE TABLE weekly_chart_entries (
  campaign_id uuid NOT NULL,
  week text NOT NULL,
  rank integer NOT NULL CHECK (rank BETWEEN 1 AND 10),
  submission_id uuid NOT NULL REFERENCES submissions(id),
  user_id uuid NOT NULL REFERENCES users(id),
  score double precision NOT NULL,
  reach bigint NOT NULL,
  prize_fen bigint NOT NULL DEFAULT 0,
  transfer_id uuid REFERENCES ledger_transfers(id),
  PRIMARY KEY (campaign_id, week, rank),
  UNIQUE (campaign_id, week, submission_id),
  FOREIGN KEY (campaign_id, week) REFERENCES weekly_charts(campaign_id, week)
);

-- 终极大奖: nominated at campaign end, checked again after the hold-back, confirmed by an editor.
CREATE TABLE grand_prize_nominations (
  campaign_id uuid NOT NULL REFERENCES campaigns(id),
  submission_id uuid NOT NULL REFERENCES submissions(id),
  user_id uuid NOT NULL REFERENCES users(id),
  reach_at_nomination bigint NOT NULL,
  nominated_at timestamptz NOT NULL DEFAULT now(),
  recheck_after timestamptz NOT NULL,
  reach_at_recheck bigint,
  status text NOT NULL CHECK (status IN ('nominated', 'confirmable', 'below_threshold', 'confirmed')),
  amount_fen bigint,
  transfer_id uuid REFERENCES ledger_transfers(id),
  confirmed_by uuid REFERENCES users(id),
  confirmed_at timestamptz,
  PRIMARY KEY (campaign_id, submission_id)
);

-- In-app notices to contributors ("你火了"); the dedupe key makes each milestone once.
CREATE TABLE notices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  kind text NOT NULL CHECK (kind IN ('reach', 'chart', 'grand_prize', 'publication')),
  submission_id uuid REFERENCES submissions(id),
  params jsonb NOT NULL DEFAULT '{}',
  dedupe_key text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE INDEX notices_user_idx ON notices (user_id, created_at DESC);

