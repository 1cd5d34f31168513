-- Password reset by an emailed link or a texted code (docs/accounts.md, "Password reset").
-- A row is written for every request, whether or not an account has the address, so the rate
-- limits count the same either way and nothing about the answer tells the two apart; user_id is
-- null when no account matched. Only a SHA-256 of the link token or code is kept.
CREATE TABLE password_resets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid REFERENCES users(id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  -- The normalised address: a lower-cased email or an E.164 phone number.
  target text NOT NULL,
  secret_hash text NOT NULL,
  ip text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  consumed_at timestamptz
);
CREATE INDEX password_resets_target_idx ON password_resets (target, created_at DESC);
CREATE INDEX password_resets_ip_idx ON password_resets (ip, created_at DESC);
-- Link tokens are 256 random bits, so a lookup by hash finds one row; codes are looked up by target.
CREATE INDEX password_resets_secret_idx ON password_resets (secret_hash);
