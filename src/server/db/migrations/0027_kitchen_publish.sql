-- Publishing a story's social forms (docs/kitchen-publishing.md): one row per story form that
-- goes out through a channel adapter (weibo, wechat, toutiao, penguin). It holds the attempt's
-- lease and the adapter's checkpoint, so a retry after a crash resumes instead of posting again.
-- The outcome is written on story_forms (status, url, external_id, last_error).
CREATE TABLE story_form_publications (
  story_form_id uuid PRIMARY KEY REFERENCES story_forms(id) ON DELETE CASCADE,
  -- Bumped on each unpublish, so a later publish is a new post with a new idempotency key.
  generation integer NOT NULL DEFAULT 1 CHECK (generation >= 1),
  -- queued → publishing → (pending →) live; failed; unpublishing → unpublished.
  status text NOT NULL CHECK (status IN ('queued', 'publishing', 'pending', 'live', 'failed', 'unpublishing', 'unpublished')),
  checkpoint jsonb NOT NULL DEFAULT '{}',
  attempts integer NOT NULL DEFAULT 0,
  lease_until timestamptz,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
