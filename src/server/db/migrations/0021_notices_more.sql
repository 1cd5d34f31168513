-- Every decision reaches the contributor (issue 13, item 4; docs/notices.md): more notice kinds,
-- Web Push subscriptions and their deliveries, and the refusal of a held red-packet win.

-- The kinds a notice can be: the decisions on a video, a payout and a held rain win join the
-- propagation ones. The inline CHECK of 0011 is named notices_kind_check by PostgreSQL.
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check CHECK (kind IN (
  'reach', 'chart', 'grand_prize', 'publication',
  'adopted', 'rejected', 'regraded', 'payout_paid', 'payout_failed', 'rain_held', 'rain_released', 'rain_refused'
));

-- One browser's push subscription (PushSubscription.toJSON()). The endpoint is the browser's:
-- it belongs to whoever subscribed it last on that browser, so it is unique across users.
CREATE TABLE push_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  endpoint text NOT NULL UNIQUE,
  p256dh text NOT NULL,
  auth text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_sent_at timestamptz
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

-- A notice pushed to one subscription at most once; the row goes with its subscription (a
-- subscription the push service says is gone, 404/410, is deleted).
CREATE TABLE notice_push_deliveries (
  notice_id uuid NOT NULL REFERENCES notices(id),
  subscription_id uuid NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('sending', 'sent', 'retry', 'failed', 'unknown')),
  attempts integer NOT NULL DEFAULT 0,
  claimed_at timestamptz,
  sent_at timestamptz,
  error text,
  PRIMARY KEY (notice_id, subscription_id)
);

-- A held win an admin refused: it is never paid (rain.pay only pays a held win once released).
CREATE TABLE rain_grab_refusals (
  grab_id uuid PRIMARY KEY REFERENCES rain_grabs(id),
  refused_by uuid NOT NULL REFERENCES users(id),
  refused_at timestamptz NOT NULL DEFAULT now(),
  reason text
);
