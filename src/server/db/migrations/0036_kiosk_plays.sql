-- Issue 16 (docs/kiosk.md, "Proof of play"): each play a kiosk reports, once. The id is the
-- screen's own (a UUID it made when the play began), so a batch sent again after a lost reply or
-- an outage adds nothing. Counted into the kiosk channel's views beside its beacons.
CREATE TABLE kiosk_plays (
  id uuid PRIMARY KEY,
  -- A removed screen's plays stay counted: a video's kiosk views never drop because a screen went.
  screen_id uuid REFERENCES kiosk_screens(id) ON DELETE SET NULL,
  submission_id uuid NOT NULL REFERENCES submissions(id),
  played_at timestamptz NOT NULL,
  duration_ms integer NOT NULL CHECK (duration_ms BETWEEN 0 AND 86400000),
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kiosk_plays_submission ON kiosk_plays (submission_id);
CREATE INDEX kiosk_plays_screen_time ON kiosk_plays (screen_id, played_at);
