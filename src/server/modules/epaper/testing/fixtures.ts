// Newspaper PDFs built in code for the e-paper tests: small, real (poppler renders them), and hostile on demand.

const enc = new TextEncoder();
const MM = 72 / 25.4;

export interface PdfText {
  /** Left edge and top of the line, in millimetres from the page's top-left corner. */
  xMm: number;
  yMm: number;
  /** Font size in points (Helvetica: Latin text only). */
  size: number;
  text: string;
}

export interface PdfPageSpec {
  widthMm: number;
  heightMm: number;
  texts?: PdfText[];
}

const A4 = { widthMm: 210, heightMm: 297 };

const escape = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);

/**
 * A PDF with a cross-reference table, one content stream per page (its text in Helvetica, and a
 * grey box so the render is not blank), `extra` in the catalogue dictionary (e.g. an /OpenAction).
 */
export function buildNewspaperPdf(pages: PdfPageSpec[] = [A4, A4], opts: { extra?: string } = {}): Uint8Array {
  const objects: string[] = [];
  const font = 3 + pages.length * 2;
  objects.push(`<< /Type /Catalog /Pages 2 0 R ${opts.extra ?? ''} >>`);
  objects.push(`<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + i * 2} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  pages.forEach((p, i) => {
    const w = +(p.widthMm * MM).toFixed(2);
    const h = +(p.heightMm * MM).toFixed(2);
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${4 + i * 2} 0 R >>`);
    const ops = [`0.8 g ${(w * 0.1).toFixed(2)} ${(h * 0.1).toFixed(2)} ${(w * 0.2).toFixed(2)} ${(h * 0.1).toFixed(2)} re f 0 g`];
    for (const t of p.texts ?? []) {
      // PDF space is from the bottom-left, to the baseline: the line's top is about one size above it.
      const x = (t.xMm * MM).toFixed(2);
      const y = (h - t.yMm * MM - t.size * 0.8).toFixed(2);
      ops.push(`BT /F1 ${t.size} Tf ${x} ${y} Td (${escape(t.text)}) Tj ET`);
    }
    const content = ops.join('\n');
    objects.push(`<< /Length ${enc.encode(content).length} >>\nstream\n${content}\nendstream`);
  });
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(enc.encode(out).length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = enc.encode(out).length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return enc.encode(out);
}

/** `n` blank A4 pages. */
export const pagesOf = (n: number): PdfPageSpec[] => Array.from({ length: n }, () => A4);
