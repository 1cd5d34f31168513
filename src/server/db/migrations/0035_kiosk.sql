-- Issue 16 (docs/kiosk.md): e-newspaper kiosks as a fleet. A screen pairs with a short code, then
-- holds a device key (stored hashed; rotated or revoked by an admin, null once revoked), reports
-- heartbeats, takes commands, and plays a schedule made of layers on its group or on itself.

CREATE TABLE kiosk_groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE kiosk_screens
  ALTER COLUMN key_hash DROP NOT NULL,
  ADD COLUMN group_id uuid REFERENCES kiosk_groups(id) ON DELETE SET NULL,
  ADD COLUMN place_name text CHECK (length(place_name) <= 120),
  ADD COLUMN lat double precision CHECK (lat BETWEEN -90 AND 90),
  ADD COLUMN lng double precision CHECK (lng BETWEEN -180 AND 180),
  ADD COLUMN orientation text NOT NULL DEFAULT 'landscape' CHECK (orientation IN ('landscape', 'portrait')),
  ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Shanghai' CHECK (length(time_zone) <= 64),
  -- Opening hours as the schedule's daily windows (contracts/kiosk.schedule.ts); null: always lit.
  ADD COLUMN opening_hours jsonb,
  ADD COLUMN key_rotated_at timestamptz,
  ADD COLUMN revoked_at timestamptz,
  ADD COLUMN app_version text CHECK (length(app_version) <= 40),
  ADD COLUMN storage_used_bytes bigint,
  ADD COLUMN storage_quota_bytes bigint,
  -- The last heartbeat's report (what plays, manifest version, online since, the screen's clock).
  ADD COLUMN last_report jsonb,
  ADD COLUMN screenshot_key text,
  ADD COLUMN screenshot_at timestamptz;
CREATE INDEX kiosk_screens_group ON kiosk_screens (group_id);

-- A screen that opened /kiosk and shows `code`; it polls with its secret until an admin claims the
-- code, and then takes its device key once (delivered_at), so the key is never stored in the clear.
CREATE TABLE kiosk_pairings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL,
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  screen_id uuid REFERENCES kiosk_screens(id) ON DELETE CASCADE,
  claimed_at timestamptz,
  delivered_at timestamptz
);
-- A code names one waiting screen at a time; an expired one's code may be reused.
CREATE UNIQUE INDEX kiosk_pairings_code_open ON kiosk_pairings (code) WHERE claimed_at IS NULL;

CREATE TABLE kiosk_commands (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  screen_id uuid NOT NULL REFERENCES kiosk_screens(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('reload', 'refresh', 'screenshot', 'rotate_key')),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  done_at timestamptz,
  result text CHECK (length(result) <= 200)
);
CREATE INDEX kiosk_commands_pending ON kiosk_commands (screen_id, created_at) WHERE done_at IS NULL;

-- Schedule layers (contracts/kiosk.schedule.ts): on a group or on one screen, never both.
CREATE TABLE kiosk_layers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  group_id uuid REFERENCES kiosk_groups(id) ON DELETE CASCADE,
  screen_id uuid REFERENCES kiosk_screens(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('default', 'window', 'campaign', 'interrupt')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  priority integer NOT NULL DEFAULT 0,
  windows jsonb,
  from_date date,
  to_date date,
  starts_at timestamptz,
  ends_at timestamptz,
  -- What plays (sources such as the daily pick or the weekly chart, and a loop length).
  content jsonb NOT NULL,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((group_id IS NULL) <> (screen_id IS NULL))
);
CREATE INDEX kiosk_layers_group ON kiosk_layers (group_id);
CREATE INDEX kiosk_layers_screen ON kiosk_layers (screen_id);
