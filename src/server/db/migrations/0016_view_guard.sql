-- Views that count people, not cookies (docs/propagation.md, "Forged views").
-- Each app beacon remembers the address and network it came from (HMAC'd like the viewer), so
-- counted views can be capped per address and per network, and a burst from few networks found.
-- Rows written before this (and kiosk rows, keyed by their screen) have neither and are not capped.
ALTER TABLE view_beacons ADD COLUMN addr text;
ALTER TABLE view_beacons ADD COLUMN net text;

-- Money whose figure looked forged waits here for an editor or finance: a weekly prize, the
-- extra of a reach multiplier, a grand-prize nomination. Releasing one posts the ledger transfer
-- it describes, under the key it would have had; rejecting it posts nothing.
CREATE TABLE propagation_holds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('weekly_prize', 'reach_multiplier', 'grand_prize')),
  -- The ledger idempotency key the payment has (or would have) once released; one hold per payment.
  ledger_key text NOT NULL UNIQUE,
  campaign_id uuid NOT NULL REFERENCES campaigns(id),
  submission_id uuid NOT NULL REFERENCES submissions(id),
  user_id uuid NOT NULL REFERENCES users(id),
  -- What release pays; NULL for a grand-prize nomination, whose amount is set when it is confirmed.
  amount_fen bigint CHECK (amount_fen IS NULL OR amount_fen > 0),
  refs jsonb NOT NULL DEFAULT '{}',
  -- The anomaly that held it: views, the top networks' share, distinct networks, the window.
  reason jsonb NOT NULL,
  status text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'released', 'rejected')),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  decided_by uuid REFERENCES users(id),
  note text,
  transfer_id uuid REFERENCES ledger_transfers(id)
);
CREATE INDEX propagation_holds_status_idx ON propagation_holds (status, created_at);
