// Hard checks on an uploaded PDF before it enters the lending catalogue.
// We refuse rather than neutralise: rewriting PDF object streams safely needs a full parser,
// and a lending title with active content is a publisher mistake worth telling staff about.

export const PDF_MAX_BYTES = 200 * 1024 * 1024;

export type PdfRefusal = 'pdf.not_pdf' | 'pdf.too_large' | 'pdf.active_content';

export interface PdfCheckResult {
  ok: boolean;
  reason?: PdfRefusal;
  /** The PDF name tokens that caused an active-content refusal, for the staff message. */
  found?: string[];
}

// Names that make a PDF run code or open other things when read. /OpenAction alone is common
// (open at page 1) and harmless; it is dangerous only when it carries /JS, which is matched anyway.
const ACTIVE_NAMES = ['/JavaScript', '/JS', '/Launch', '/EmbeddedFile', '/RichMedia', '/SubmitForm', '/ImportData'];

/** Matches a PDF name token exactly: the next byte must be a delimiter, so `/JSON` is not `/JS`. */
function hasName(text: string, name: string): boolean {
  const re = new RegExp(`${name.replace('/', '\\/')}(?=[\\s/<>\\[\\]()%{}]|$)`);
  return re.test(text);
}

export function checkPdf(bytes: Uint8Array): PdfCheckResult {
  if (bytes.byteLength > PDF_MAX_BYTES) return { ok: false, reason: 'pdf.too_large' };
  // The header may follow up to 1024 bytes of junk per the spec's implementation note; readers accept that.
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (!head.includes('%PDF-')) return { ok: false, reason: 'pdf.not_pdf' };
  // latin1 keeps every byte as one char, so name tokens in uncompressed dictionaries are found.
  // Names hidden in compressed object streams are not seen here; the reader's CSP sandbox is the second wall.
  const text = Buffer.from(bytes).toString('latin1');
  // Hex escapes in names (/J#61vaScript) are a known evasion: decode them before matching.
  const decoded = text.replace(/\/[^\s/<>[\]()%{}]*#[0-9A-Fa-f]{2}[^\s/<>[\]()%{}]*/g, (n) =>
    n.replace(/#([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
  );
  const found = ACTIVE_NAMES.filter((n) => hasName(decoded, n));
  if (found.length > 0) return { ok: false, reason: 'pdf.active_content', found };
  return { ok: true };
}
