-- Submissions: a contributor's video for a campaign, from upload to review.

CREATE TABLE submissions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  campaign_id uuid NOT NULL REFERENCES campaigns(id),
  theme text NOT NULL,
  title text NOT NULL,
  description text,
  location jsonb,
  consent_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'uploading'
    CHECK (status IN ('uploading', 'processing', 'in_review', 'adopted', 'rejected', 'withdrawn')),
  progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  rejection_code text,
  rejection_params jsonb,
  -- The tus upload id while uploading; the upload's declared length counts toward daily limits.
  upload_id text UNIQUE,
  upload_length bigint NOT NULL CHECK (upload_length >= 0),
  original_filename text NOT NULL,
  -- Set once processed: facts from ffprobe, the displayed frame, and the storage keys of outputs.
  probe jsonb,
  duration_seconds double precision,
  width integer,
  height integer,
  outputs jsonb,
  fingerprint text,
  duplicate_of uuid REFERENCES submissions(id),
  duplicate_score double precision,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  withdrawn_at timestamptz,
  CHECK ((status = 'rejected') = (rejection_code IS NOT NULL))
);
CREATE INDEX submissions_user_idx ON submissions (user_id, created_at DESC);
CREATE INDEX submissions_campaign_status_idx ON submissions (campaign_id, status, created_at);
CREATE INDEX submissions_fingerprint_idx ON submissions (created_at) WHERE fingerprint IS NOT NULL;
