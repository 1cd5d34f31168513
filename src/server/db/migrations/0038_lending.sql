-- Issue 16 (docs/lending.md): e-book and periodical lending (借阅) for kiosks and the app. Staff
-- upload checked and cleaned EPUB/PDF files under a licence (copies, loan length, total loans,
-- end date); readers borrow a copy or queue a hold. Every change to who holds a copy of a title
-- runs with its licence row locked (SELECT … FOR UPDATE), and the partial unique indexes below
-- make a second active loan or open hold of one reader on one title impossible, whatever races.

CREATE TABLE lending_titles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('book', 'periodical')),
  format text NOT NULL CHECK (format IN ('epub', 'pdf')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  author text CHECK (length(author) <= 500),
  language text CHECK (length(language) <= 35),
  description text CHECK (length(description) <= 4000),
  -- Storage keys (lending/<id>/…): the cleaned file, and the cover re-encoded as JPEG (none for PDFs).
  file_key text NOT NULL,
  cover_key text,
  bytes bigint NOT NULL CHECK (bytes > 0),
  -- Of the stored (cleaned) file: the same file is not catalogued twice while listed.
  sha256 text NOT NULL,
  -- What the EPUB check removed ({scripts, eventHandlers, javascriptUrls, remoteReferences}).
  neutralised jsonb NOT NULL DEFAULT '{}',
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  withdrawn_at timestamptz
);
CREATE UNIQUE INDEX lending_titles_sha256_listed ON lending_titles (sha256) WHERE withdrawn_at IS NULL;
CREATE INDEX lending_titles_listed ON lending_titles (created_at DESC) WHERE withdrawn_at IS NULL;

-- One licence per title; its row is the lock every loan, hold and offer of the title takes.
CREATE TABLE lending_licences (
  title_id uuid PRIMARY KEY REFERENCES lending_titles(id) ON DELETE CASCADE,
  copies integer NOT NULL CHECK (copies BETWEEN 1 AND 100000),
  loan_days integer NOT NULL DEFAULT 14 CHECK (loan_days BETWEEN 1 AND 365),
  -- Checkouts the licence allows in all (null: unlimited); loans_used counts them, never given back.
  max_loans integer CHECK (max_loans >= 1),
  expires_at timestamptz,
  loans_used integer NOT NULL DEFAULT 0 CHECK (loans_used >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lending_loans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title_id uuid NOT NULL REFERENCES lending_titles(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'returned', 'expired')),
  borrowed_at timestamptz NOT NULL DEFAULT now(),
  due_at timestamptz NOT NULL,
  -- When it ended: returned early, or expired at the sweep.
  returned_at timestamptz,
  -- The reader's place: {locator, progress 0..1, updatedAt, device}; the newest updatedAt wins.
  position jsonb,
  CHECK (due_at > borrowed_at),
  CHECK ((status = 'active') = (returned_at IS NULL))
);
CREATE UNIQUE INDEX lending_loans_one_active ON lending_loans (title_id, user_id) WHERE status = 'active';
CREATE INDEX lending_loans_user ON lending_loans (user_id, borrowed_at DESC);
CREATE INDEX lending_loans_due ON lending_loans (due_at) WHERE status = 'active';

CREATE TABLE lending_holds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Queue order: a sequence, not created_at, so holds made in the same instant still have an order.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  title_id uuid NOT NULL REFERENCES lending_titles(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'offered', 'fulfilled', 'cancelled', 'lapsed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  offered_at timestamptz,
  offer_expires_at timestamptz,
  ended_at timestamptz,
  -- The loan an accepted offer became.
  loan_id uuid REFERENCES lending_loans(id) ON DELETE SET NULL,
  CHECK (status <> 'offered' OR (offered_at IS NOT NULL AND offer_expires_at IS NOT NULL))
);
CREATE UNIQUE INDEX lending_holds_one_open ON lending_holds (title_id, user_id) WHERE status IN ('waiting', 'offered');
CREATE INDEX lending_holds_queue ON lending_holds (title_id, seq) WHERE status = 'waiting';
CREATE INDEX lending_holds_offers ON lending_holds (offer_expires_at) WHERE status = 'offered';
CREATE INDEX lending_holds_user ON lending_holds (user_id, created_at DESC);
