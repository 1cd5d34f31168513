-- Issue 16 (docs/kiosk.md, "Offline"): the SHA-256 and size of each file a kiosk's manifest lists,
-- worked out once. A screen checks every file it caches against these before it plays it offline.
-- Keyed by the address the screen fetches; `bytes` is compared with the stored object's size on
-- each build, so a file written again under the same name is hashed again.
CREATE TABLE kiosk_assets (
  url text PRIMARY KEY,
  bytes bigint NOT NULL CHECK (bytes >= 0),
  sha256 text NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now()
);
