-- Desk search (docs/desk.md, "Search"): one lower-cased text per submission holding what an
-- editor searches by (title, description, and the packaged headlines and tags of every
-- channel), kept up to date by triggers so no writer of submissions or packages has to know.
-- Matching is substring (position()), not trigram or word tokens: pg_trgm ignores CJK under
-- the C locale and a segmenter misses words across its own boundaries; docs/benchmarks.md
-- ("Desk search") has the figures on 10k rows.

ALTER TABLE submissions ADD COLUMN search_text text NOT NULL DEFAULT '';

CREATE FUNCTION submission_search_text(p_id uuid, p_title text, p_description text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT lower(
    coalesce(p_title, '') || E'\n' || coalesce(p_description, '') || E'\n' ||
    coalesce((SELECT string_agg(p.headline || ' ' || array_to_string(p.tags, ' '), E'\n' ORDER BY p.channel)
              FROM packages p WHERE p.submission_id = p_id), ''))
$$;

CREATE FUNCTION submissions_search_text_trg() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := submission_search_text(NEW.id, NEW.title, NEW.description);
  RETURN NEW;
END;
$$;

CREATE TRIGGER submissions_search_text BEFORE INSERT OR UPDATE OF title, description ON submissions
  FOR EACH ROW EXECUTE FUNCTION submissions_search_text_trg();

CREATE FUNCTION packages_search_text_trg() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sid uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN sid := OLD.submission_id; ELSE sid := NEW.submission_id; END IF;
  UPDATE submissions s SET search_text = submission_search_text(s.id, s.title, s.description) WHERE s.id = sid;
  RETURN NULL;
END;
$$;

CREATE TRIGGER packages_search_text AFTER INSERT OR UPDATE OR DELETE ON packages
  FOR EACH ROW EXECUTE FUNCTION packages_search_text_trg();

-- Existing rows.
UPDATE submissions SET search_text = submission_search_text(id, title, description);

-- The list's default order (newest first) and its status filter.
CREATE INDEX submissions_created_idx ON submissions (created_at DESC, id DESC);
