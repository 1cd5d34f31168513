-- The print form's renders (docs/print.md): one row per story, the newest render request.
-- A render is a job (kitchen.print-render): headless Chromium lays the print block out from
-- HTML with CSS paged media and writes a PDF to Storage. A failed render leaves the story as it
-- was and keeps its reason here (a message code, and the underlying error for the log reader).
CREATE TABLE story_print_renders (
  story_id uuid PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('queued', 'rendering', 'done', 'failed')),
  -- Storage key of the last good PDF (kept while a new render runs or after one fails).
  pdf_key text,
  pdf_bytes integer,
  -- The story version (and print form version, when there is one) the PDF was made from.
  story_version integer,
  form_version integer,
  newspaper_id uuid REFERENCES newspapers(id) ON DELETE SET NULL,
  -- Why the last render failed: a message code (kitchen.print_chromium_missing …) and detail.
  error_code text,
  error text CHECK (error IS NULL OR length(error) <= 2000),
  requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  render_ms integer
);
