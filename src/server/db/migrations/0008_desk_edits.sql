-- The desk's own secondary production: a trimmed version of an adopted video with subtitles,
-- burned in or as WebVTT. Each request is a new version; the newest ready one is used.

CREATE TABLE submission_edits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  spec jsonb NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'ready', 'failed')),
  outputs jsonb,
  error text,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submission_edits_submission_idx ON submission_edits (submission_id, created_at DESC);
