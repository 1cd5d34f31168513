-- Issue 16 (docs/epaper.md): the e-paper (电子报) for kiosks. Staff upload a day's newspaper as a
-- PDF; the `epaper.render` job turns each page into images (pdftoppm, then sharp); staff mark
-- tappable article zones on the pages (drawn, or imported from the central kitchen's print forms)
-- and publish the edition. Kiosks and the public read published editions only.

CREATE TABLE epaper_editions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The newspaper's own date (a local date, as printed on the masthead), and its name (人民日报).
  date date NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  status text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'ready', 'failed', 'published')),
  -- Why the render failed: a message code (epaper.render_failed …) and the detail for staff.
  error_code text,
  error text CHECK (error IS NULL OR length(error) <= 2000),
  -- The uploaded PDF (epaper/<id>/source.pdf), kept for re-rendering and for locating print forms.
  source_key text NOT NULL,
  source_bytes bigint NOT NULL CHECK (source_bytes > 0),
  -- Pages in the PDF (counted at upload, at most 64); page rows exist once the render is done.
  page_count integer NOT NULL CHECK (page_count BETWEEN 1 AND 64),
  -- Page names staff gave at upload (第01版 要闻 …), in page order; the render gives them to the page rows.
  page_labels text[] NOT NULL DEFAULT '{}',
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  rendered_at timestamptz,
  published_at timestamptz,
  CHECK ((status = 'published') = (published_at IS NOT NULL)),
  CHECK (status <> 'failed' OR error_code IS NOT NULL),
  UNIQUE (title, date)
);
CREATE INDEX epaper_editions_published ON epaper_editions (date DESC, title) WHERE status = 'published';

CREATE TABLE epaper_pages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  edition_id uuid NOT NULL REFERENCES epaper_editions(id) ON DELETE CASCADE,
  -- 1-based, in the PDF's order.
  number integer NOT NULL CHECK (number BETWEEN 1 AND 64),
  -- The page's name as printed (第01版 要闻); staff may set it, "第NN版" by default.
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  -- Storage keys (epaper/<editionId>/<render>/…): the page at 1600 px wide, and a 320 px thumbnail.
  image_key text NOT NULL,
  thumb_key text NOT NULL,
  content_type text NOT NULL,
  -- Of the full image, in pixels; zones are fractions of these.
  width integer NOT NULL CHECK (width > 0),
  height integer NOT NULL CHECK (height > 0),
  UNIQUE (edition_id, number)
);

CREATE TABLE epaper_zones (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  page_id uuid NOT NULL REFERENCES epaper_pages(id) ON DELETE CASCADE,
  -- A rectangle in page-relative units (0..1 of the page's width and height), inside the page.
  x double precision NOT NULL CHECK (x >= 0 AND x < 1),
  y double precision NOT NULL CHECK (y >= 0 AND y < 1),
  w double precision NOT NULL CHECK (w > 0 AND x + w <= 1.000001),
  h double precision NOT NULL CHECK (h > 0 AND y + h <= 1.000001),
  headline text NOT NULL CHECK (length(headline) BETWEEN 1 AND 200),
  -- The kitchen story the article is (its public page is the zone's link), when there is one.
  story_id uuid REFERENCES stories(id) ON DELETE SET NULL,
  text text CHECK (length(text) <= 20000),
  source text NOT NULL CHECK (source IN ('print_form', 'drawn')),
  -- Order on the page (reading order; the list as staff last saved it).
  position integer NOT NULL DEFAULT 0,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX epaper_zones_page ON epaper_zones (page_id, position);
