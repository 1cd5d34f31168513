-- Red-packet rain device clusters (docs/rain.md, "Anti-abuse"): the device id the rain page
-- keeps in localStorage and sends with each grab, recorded with each win and each attempt,
-- and the page's coarse fingerprint, logged for review only.

ALTER TABLE rain_grabs ADD COLUMN device_id text;
ALTER TABLE rain_grab_log ADD COLUMN device_id text;
ALTER TABLE rain_grab_log ADD COLUMN fingerprint text;

-- "How many accounts have won from this device in this campaign" when a win is recorded.
CREATE INDEX rain_grabs_device_idx ON rain_grabs (device_id) WHERE device_id IS NOT NULL;
