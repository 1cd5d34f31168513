-- The central-kitchen desk: studios and their routing, claims, notes, grades and the
-- publishing outbox that adoption writes in the same transaction as the reward.

CREATE TABLE studios (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
  lead_user_id uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE studio_members (
  studio_id uuid NOT NULL REFERENCES studios(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (studio_id, user_id)
);
CREATE INDEX studio_members_user_idx ON studio_members (user_id);

-- A campaign (theme NULL: all of it) or one of its themes goes to one studio's queue.
CREATE TABLE studio_routes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  studio_id uuid NOT NULL REFERENCES studios(id) ON DELETE CASCADE,
  campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  theme text,
  CONSTRAINT studio_routes_target UNIQUE NULLS NOT DISTINCT (campaign_id, theme)
);

-- Who is working an item; a claim past expires_at is free for anyone.
CREATE TABLE submission_claims (
  submission_id uuid PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
  editor_id uuid NOT NULL REFERENCES users(id),
  claimed_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

CREATE TABLE submission_notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  author_id uuid NOT NULL REFERENCES users(id),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submission_notes_submission_idx ON submission_notes (submission_id, created_at);

ALTER TABLE submissions ADD COLUMN grade text;
-- Bumped by every grade change after adoption; names the correcting transfer's idempotency key.
ALTER TABLE submissions ADD COLUMN grade_version integer NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN adopted_at timestamptz;
ALTER TABLE submissions ADD COLUMN adopted_by uuid REFERENCES users(id);
ALTER TABLE submissions ADD COLUMN reviewed_by uuid REFERENCES users(id);
CREATE INDEX submissions_queue_idx ON submissions (processed_at) WHERE status = 'in_review';

-- Effects outside the database that adoption (and later actions) cause: written in the same
-- transaction, worked by jobs, idempotent on (kind, submission_id).
CREATE TABLE publication_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('publish')),
  submission_id uuid NOT NULL REFERENCES submissions(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  UNIQUE (kind, submission_id)
);
CREATE INDEX publication_outbox_pending_idx ON publication_outbox (created_at) WHERE processed_at IS NULL;
