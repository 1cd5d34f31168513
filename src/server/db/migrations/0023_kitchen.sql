-- The central kitchen (docs/kitchen.md): staff stories, their forms (报、网、端、微、屏), the
-- review chain each form passes, the daily plan (报题) that feeds them, and the newspapers
-- whose column grid the print form is laid out on. Contributor videos join a story through
-- story_videos; a story never copies a submission.

CREATE TABLE newspapers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
  -- 'A3' (297 × 420 mm) or 'broadsheet' (375 × 597 mm trim).
  page_size text NOT NULL DEFAULT 'A3' CHECK (page_size IN ('A3', 'broadsheet')),
  columns integer NOT NULL DEFAULT 6 CHECK (columns BETWEEN 1 AND 12),
  gutter_mm numeric(5, 2) NOT NULL DEFAULT 4 CHECK (gutter_mm BETWEEN 0 AND 20),
  margin_mm numeric(5, 2) NOT NULL DEFAULT 15 CHECK (margin_mm BETWEEN 0 AND 50),
  bleed_mm numeric(5, 2) NOT NULL DEFAULT 3 CHECK (bleed_mm BETWEEN 0 AND 10),
  headline_pt numeric(5, 2) NOT NULL DEFAULT 36 CHECK (headline_pt BETWEEN 8 AND 144),
  standfirst_pt numeric(5, 2) NOT NULL DEFAULT 14 CHECK (standfirst_pt BETWEEN 6 AND 48),
  body_pt numeric(5, 2) NOT NULL DEFAULT 10.5 CHECK (body_pt BETWEEN 6 AND 24),
  caption_pt numeric(5, 2) NOT NULL DEFAULT 8 CHECK (caption_pt BETWEEN 5 AND 18),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO newspapers (name) VALUES ('Paike Daily');

CREATE TABLE stories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- NULL: the central desk's own story (chief editors); otherwise the studio that owns it.
  studio_id uuid REFERENCES studios(id) ON DELETE SET NULL,
  headline text NOT NULL CHECK (length(headline) BETWEEN 1 AND 200),
  standfirst text NOT NULL DEFAULT '' CHECK (length(standfirst) <= 1000),
  -- Sanitised HTML (modules/kitchen/sanitize.ts); never stored unsanitised.
  body_html text NOT NULL DEFAULT '' CHECK (length(body_html) <= 200000),
  tags text[] NOT NULL DEFAULT '{}',
  byline text NOT NULL DEFAULT '' CHECK (length(byline) <= 200),
  author_id uuid NOT NULL REFERENCES users(id),
  -- Optimistic locking: every save names the version it edited; a mismatch is 409.
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  updated_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stories_studio_idx ON stories (studio_id, updated_at DESC);
CREATE INDEX stories_updated_idx ON stories (updated_at DESC);

-- Every saved version, whole (stories are small; whole copies make diffs and restores simple).
CREATE TABLE story_revisions (
  story_id uuid NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
  version integer NOT NULL,
  headline text NOT NULL,
  standfirst text NOT NULL,
  body_html text NOT NULL,
  tags text[] NOT NULL,
  byline text NOT NULL,
  editor_id uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (story_id, version)
);

CREATE TABLE story_images (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  story_id uuid NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
  -- Storage keys of the resized copies (sharp): print (long side ≤ 3000), web (≤ 1600), thumb (≤ 400).
  print_key text NOT NULL,
  web_key text NOT NULL,
  thumb_key text NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  bytes integer NOT NULL,
  caption text NOT NULL DEFAULT '' CHECK (length(caption) <= 500),
  credit text NOT NULL DEFAULT '' CHECK (length(credit) <= 200),
  position integer NOT NULL DEFAULT 0,
  uploaded_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_images_story_idx ON story_images (story_id, position);

-- Adopted contributor videos embedded in a story, credited to their contributor.
CREATE TABLE story_videos (
  story_id uuid NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
  submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  position integer NOT NULL DEFAULT 0,
  PRIMARY KEY (story_id, submission_id)
);
CREATE INDEX story_videos_submission_idx ON story_videos (submission_id);

-- One variant per form: derived from the story when created, then edited on its own.
-- status: planned → in_edit → in_review → ready → published (and back to in_edit when
-- changed after approval, which restarts its review round).
CREATE TABLE story_forms (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  story_id uuid NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
  form text NOT NULL CHECK (form IN ('print', 'web', 'app', 'weibo', 'wechat', 'toutiao', 'penguin', 'screen')),
  status text NOT NULL DEFAULT 'in_edit' CHECK (status IN ('planned', 'in_edit', 'in_review', 'ready', 'published')),
  -- The form's own fields (headline, text, print block size …); shape per form in contracts/kitchen.ts.
  content jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- The review round in progress (or last completed); a change after approval starts a new one.
  review_round integer NOT NULL DEFAULT 0,
  -- Index into the studio's review chain of the step that holds the form now (in_review only).
  review_step integer,
  -- The print form's slot (edition date and page) and the newspaper it is laid out for.
  newspaper_id uuid REFERENCES newspapers(id) ON DELETE SET NULL,
  url text,
  external_id text,
  last_error text,
  published_at timestamptz,
  updated_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (story_id, form)
);
CREATE INDEX story_forms_status_idx ON story_forms (form, status);

-- A studio's review chain (default when absent: 三审 editor → studio_lead → chief_editor).
CREATE TABLE review_chains (
  studio_id uuid PRIMARY KEY REFERENCES studios(id) ON DELETE CASCADE,
  -- ["editor", "studio_lead", "chief_editor"]: each step names who may approve it.
  steps jsonb NOT NULL,
  updated_by uuid REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every review action on a form, in order.
CREATE TABLE story_reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  story_form_id uuid NOT NULL REFERENCES story_forms(id) ON DELETE CASCADE,
  round integer NOT NULL,
  step integer NOT NULL,
  -- 'submit' (sent into review), 'approve', 'send_back' (with a note), 'restart' (changed after approval).
  action text NOT NULL CHECK (action IN ('submit', 'approve', 'send_back', 'restart')),
  note text CHECK (note IS NULL OR length(note) <= 2000),
  actor_id uuid NOT NULL REFERENCES users(id),
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_reviews_form_idx ON story_reviews (story_form_id, at);

-- 报题: a story idea on a day's budget, with a slot per form it should fill.
CREATE TABLE story_ideas (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  studio_id uuid REFERENCES studios(id) ON DELETE SET NULL,
  day date NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 4000),
  owner_id uuid REFERENCES users(id),
  deadline timestamptz,
  status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'dropped', 'done')),
  story_id uuid REFERENCES stories(id) ON DELETE SET NULL,
  created_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_ideas_day_idx ON story_ideas (day, studio_id);

CREATE TABLE story_idea_slots (
  idea_id uuid NOT NULL REFERENCES story_ideas(id) ON DELETE CASCADE,
  form text NOT NULL CHECK (form IN ('print', 'web', 'app', 'weibo', 'wechat', 'toutiao', 'penguin', 'screen')),
  -- Free text where the form needs a place: print edition/page ("A1", "第4版"), a time slot …
  target text NOT NULL DEFAULT '' CHECK (length(target) <= 80),
  due_at timestamptz,
  PRIMARY KEY (idea_id, form)
);

-- The contributor videos that feed an idea (assignments join here in the command platform).
CREATE TABLE story_idea_feeds (
  idea_id uuid NOT NULL REFERENCES story_ideas(id) ON DELETE CASCADE,
  submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  PRIMARY KEY (idea_id, submission_id)
);
