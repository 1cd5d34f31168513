-- Propagation metrics and notices (docs/propagation.md): how each notice went out by SMS and
-- email. In-app delivery is the notices row itself; these rows make the outside channels at
-- most once per notice, whatever the job does (retries, a second job, a crash mid-send).

CREATE TABLE notice_deliveries (
  notice_id uuid NOT NULL REFERENCES notices(id),
  channel text NOT NULL CHECK (channel IN ('sms', 'email')),
  -- sending: claimed by a job; retry: failed in a way worth retrying; unknown: a job died
  -- after claiming, so whether the message left is unknown (it is not sent again).
  status text NOT NULL CHECK (status IN ('sending', 'sent', 'retry', 'failed', 'unknown')),
  attempts integer NOT NULL DEFAULT 0,
  claimed_at timestamptz,
  sent_at timestamptz,
  error text,
  PRIMARY KEY (notice_id, channel)
);

-- A contributor's unread notices, for the badge.
CREATE INDEX notices_user_unread_idx ON notices (user_id) WHERE read_at IS NULL;
