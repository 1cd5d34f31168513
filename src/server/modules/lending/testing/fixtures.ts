// EPUB and PDF files built in code for the lending tests: small, real, and hostile on demand.
import { zipSync, type Zippable } from 'fflate';

const enc = new TextEncoder();

export interface EpubOptions {
  title?: string;
  /** XHTML body of the single chapter. */
  chapter?: string;
  /** Extra zip entries (path → text or bytes), e.g. for path traversal or a bomb. */
  extra?: Record<string, string | Uint8Array>;
  mimetype?: string | null;
  cover?: Uint8Array;
  opfPath?: string;
}

export function buildEpub(o: EpubOptions = {}): Uint8Array {
  const opfPath = o.opfPath ?? 'OEBPS/content.opf';
  const coverItem = o.cover ? '<item id="cov" href="images/cover.png" media-type="image/png" properties="cover-image"/>' : '';
  const files: Zippable = {};
  if (o.mimetype !== null) files.mimetype = [enc.encode(o.mimetype ?? 'application/epub+zip'), { level: 0 }];
  files['META-INF/container.xml'] = enc.encode(
    `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="${opfPath}" media-type="application/oebps-package+xml"/></rootfiles></container>`,
  );
  files['OEBPS/content.opf'] = enc.encode(
    `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:x</dc:identifier><dc:title>${o.title ?? '边城'}</dc:title><dc:creator>沈从文</dc:creator><dc:language>zh-CN</dc:language></metadata><manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>${coverItem}</manifest><spine><itemref idref="c1"/></spine></package>`,
  );
  files['OEBPS/c1.xhtml'] = enc.encode(
    `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>1</title></head><body>${o.chapter ?? '<p>由四川过湖南去。</p>'}</body></html>`,
  );
  if (o.cover) files['OEBPS/images/cover.png'] = o.cover;
  for (const [k, v] of Object.entries(o.extra ?? {})) files[k] = typeof v === 'string' ? enc.encode(v) : v;
  return zipSync(files, { level: 6 });
}

/** A tiny one-page PDF written by hand; `extra` goes into the catalogue dictionary. */
export function buildPdf(extra = ''): Uint8Array {
  return enc.encode(`%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R ${extra} >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
trailer << /Root 1 0 R >>
%%EOF
`);
}
