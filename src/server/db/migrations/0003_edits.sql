-- Secondary production (二次生产): a submission made from up to five trimmed clips and a caption.

ALTER TABLE submissions ADD COLUMN source text NOT NULL DEFAULT 'upload' CHECK (source IN ('upload', 'edit'));
ALTER TABLE submissions ADD COLUMN caption text;

CREATE TABLE submission_clips (
  submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  idx integer NOT NULL CHECK (idx BETWEEN 0 AND 4),
  filename text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  start_seconds double precision NOT NULL CHECK (start_seconds >= 0),
  end_seconds double precision NOT NULL,
  -- The tus upload carrying this clip while it uploads.
  upload_id text UNIQUE,
  uploaded_bytes bigint NOT NULL DEFAULT 0,
  stored boolean NOT NULL DEFAULT false,
  PRIMARY KEY (submission_id, idx),
  CHECK (end_seconds > start_seconds)
);
