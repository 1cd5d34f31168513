-- The frozen weekly chart posted to the external platforms that take a text post (docs/distribution.md).
-- One row per chart and channel: created in the freeze's transaction, posted once by a job.
CREATE TABLE chart_announcements (
  campaign_id uuid NOT NULL,
  week text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('weibo', 'wechat', 'toutiao', 'penguin')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'posting', 'live', 'failed')),
  checkpoint jsonb NOT NULL DEFAULT '{}',
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  external_id text,
  url text,
  error text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, week, channel),
  FOREIGN KEY (campaign_id, week) REFERENCES weekly_charts(campaign_id, week)
);
