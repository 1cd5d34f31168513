-- Issue 16 (docs/study.md): political study (思想政治学习) on kiosks and phones. Staff curate
-- collections of articles (kitchen stories), videos (adopted submissions) and PDFs (lending
-- titles) with quiz questions; a reader studies in a study session (a kiosk's, opened by scanning
-- a QR code with the phone, or the phone's own) and keeps a personal record; points, when the
-- collection gives them, go to a ledger that the unique indexes below keep idempotent.

CREATE TABLE study_collections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
  published boolean NOT NULL DEFAULT false,
  published_at timestamptz,
  points_enabled boolean NOT NULL DEFAULT false,
  points_per_task integer NOT NULL DEFAULT 1 CHECK (points_per_task BETWEEN 0 AND 100),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Deleted collections are hidden but kept: readers' records and points point at them.
  deleted_at timestamptz
);
CREATE INDEX study_collections_published ON study_collections (published_at DESC) WHERE published AND deleted_at IS NULL;

-- One thing to study; exactly the reference its kind names is set.
CREATE TABLE study_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  collection_id uuid NOT NULL REFERENCES study_collections(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('article', 'video', 'pdf')),
  story_id uuid REFERENCES stories(id) ON DELETE CASCADE,
  submission_id uuid REFERENCES submissions(id) ON DELETE CASCADE,
  lending_title_id uuid REFERENCES lending_titles(id) ON DELETE CASCADE,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  position integer NOT NULL DEFAULT 0,
  min_dwell_seconds integer NOT NULL DEFAULT 30 CHECK (min_dwell_seconds BETWEEN 5 AND 3600),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'article') = (story_id IS NOT NULL)),
  CHECK ((kind = 'video') = (submission_id IS NOT NULL)),
  CHECK ((kind = 'pdf') = (lending_title_id IS NOT NULL))
);
CREATE INDEX study_items_collection ON study_items (collection_id, position);

-- A question of an item's quiz, or of the collection's own quiz (item_id null).
CREATE TABLE study_questions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  collection_id uuid NOT NULL REFERENCES study_collections(id) ON DELETE CASCADE,
  item_id uuid REFERENCES study_items(id) ON DELETE CASCADE,
  prompt text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 1000),
  -- 2–6 option texts; `correct` holds the indexes (0-based) of the right ones.
  options jsonb NOT NULL,
  correct integer[] NOT NULL CHECK (cardinality(correct) >= 1),
  explanation text NOT NULL DEFAULT '' CHECK (length(explanation) <= 2000),
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (jsonb_typeof(options) = 'array' AND jsonb_array_length(options) BETWEEN 2 AND 6)
);
CREATE INDEX study_questions_collection ON study_questions (collection_id, item_id, position);

-- A kiosk's QR sign-in: the phone URL carries the nonce, the kiosk polls with the secret. Both
-- are kept as SHA-256 only. A nonce is confirmed once and claimed once: one session per scan.
CREATE TABLE study_sign_ins (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  screen_id uuid NOT NULL REFERENCES kiosk_screens(id) ON DELETE CASCADE,
  nonce_hash text NOT NULL UNIQUE,
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  confirmed_by uuid REFERENCES users(id) ON DELETE CASCADE,
  confirmed_at timestamptz,
  claimed_at timestamptz,
  CHECK ((confirmed_by IS NULL) = (confirmed_at IS NULL)),
  CHECK (claimed_at IS NULL OR confirmed_at IS NOT NULL)
);
CREATE INDEX study_sign_ins_screen ON study_sign_ins (screen_id, created_at DESC);

-- A study session: a kiosk's (screen_id set, opened by a sign-in) or a phone's own (bound to the
-- web session that opened it). The token is kept as SHA-256; it lapses after 30 idle minutes.
CREATE TABLE study_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  screen_id uuid REFERENCES kiosk_screens(id) ON DELETE SET NULL,
  auth_session_id uuid REFERENCES sessions(id) ON DELETE SET NULL,
  sign_in_id uuid UNIQUE REFERENCES study_sign_ins(id) ON DELETE SET NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  ended_at timestamptz,
  -- Set when the session's dwell times look scripted (docs/study.md): no more points from it.
  flagged_at timestamptz,
  flag_reason text
);
CREATE INDEX study_sessions_user ON study_sessions (user_id, created_at DESC);
CREATE INDEX study_sessions_screen ON study_sessions (screen_id) WHERE ended_at IS NULL;

-- A read or watch under way: started and finished on the server's clock.
CREATE TABLE study_views (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES study_sessions(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  screen_id uuid REFERENCES kiosk_screens(id) ON DELETE SET NULL,
  item_id uuid NOT NULL REFERENCES study_items(id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  -- Another start in the session ends this one unfinished.
  abandoned_at timestamptz,
  dwell_ms integer CHECK (dwell_ms >= 0)
);
CREATE INDEX study_views_session ON study_views (session_id, started_at DESC);
CREATE INDEX study_views_user_time ON study_views (user_id, started_at);
CREATE INDEX study_views_screen_time ON study_views (screen_id, started_at) WHERE screen_id IS NOT NULL;

-- A quiz attempt: which questions, in which order, under which option ids, and the right ids,
-- as drawn from a server seed (never sent). One submission; expires after 10 minutes.
CREATE TABLE study_quiz_attempts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES study_sessions(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  screen_id uuid REFERENCES kiosk_screens(id) ON DELETE SET NULL,
  collection_id uuid NOT NULL REFERENCES study_collections(id) ON DELETE CASCADE,
  item_id uuid REFERENCES study_items(id) ON DELETE CASCADE,
  task_key text NOT NULL,
  seed text NOT NULL,
  drawn jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  submitted_at timestamptz,
  score integer,
  total integer NOT NULL
);
CREATE INDEX study_quiz_attempts_user_time ON study_quiz_attempts (user_id, created_at);
CREATE INDEX study_quiz_attempts_screen_time ON study_quiz_attempts (screen_id, created_at) WHERE screen_id IS NOT NULL;
CREATE INDEX study_quiz_attempts_user_task ON study_quiz_attempts (user_id, task_key, submitted_at);

-- A task done in a session: read:<item>, watch:<item>, quiz:<item> or quiz:<collection>.
CREATE TABLE study_completions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES study_sessions(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  collection_id uuid NOT NULL REFERENCES study_collections(id) ON DELETE CASCADE,
  item_id uuid REFERENCES study_items(id) ON DELETE SET NULL,
  task text NOT NULL CHECK (task IN ('read', 'watch', 'quiz')),
  task_key text NOT NULL,
  completed_at timestamptz NOT NULL,
  dwell_ms integer,
  score integer,
  total integer,
  UNIQUE (session_id, task_key)
);
CREATE INDEX study_completions_user ON study_completions (user_id, collection_id, completed_at DESC);
CREATE INDEX study_completions_collection ON study_completions (collection_id, task_key);

-- The points ledger: one row per award. A task pays once per session and once per reader a day
-- (Asia/Shanghai), whatever retries or races.
CREATE TABLE study_points (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  session_id uuid NOT NULL REFERENCES study_sessions(id) ON DELETE CASCADE,
  collection_id uuid NOT NULL REFERENCES study_collections(id) ON DELETE CASCADE,
  task_key text NOT NULL,
  points integer NOT NULL CHECK (points > 0),
  award_day date NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (session_id, task_key),
  UNIQUE (user_id, task_key, award_day)
);
CREATE INDEX study_points_user_day ON study_points (user_id, award_day);
