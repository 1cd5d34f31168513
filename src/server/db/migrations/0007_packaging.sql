-- Packaging per channel and the daily pick (拍客·每日必看).

CREATE TABLE packages (
  submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('app', 'weibo', 'wechat', 'toutiao', 'penguin', 'kiosk')),
  headline text NOT NULL,
  summary text NOT NULL DEFAULT '',
  tags text[] NOT NULL DEFAULT '{}',
  cover_key text,
  credit text NOT NULL DEFAULT '',
  updated_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (submission_id, channel)
);

-- One adopted video per Asia/Shanghai day, scheduled ahead, with its own focused packaging.
CREATE TABLE daily_picks (
  day date PRIMARY KEY,
  submission_id uuid NOT NULL REFERENCES submissions(id),
  headline text NOT NULL,
  summary text NOT NULL DEFAULT '',
  cover_key text,
  scheduled_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX daily_picks_submission_idx ON daily_picks (submission_id);
