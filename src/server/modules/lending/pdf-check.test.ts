import { describe, expect, it } from 'vitest';
import { checkPdf } from './pdf-check.js';
import { buildPdf } from './testing/fixtures.js';

describe('checkPdf', () => {
  it('accepts a plain PDF', () => {
    expect(checkPdf(buildPdf())).toEqual({ ok: true });
  });

  it('accepts a plain open action and does not mistake /JSON-like names for /JS', () => {
    expect(checkPdf(buildPdf('/OpenAction [3 0 R /Fit] /JSONish 1')).ok).toBe(true);
  });

  it('refuses a file that is not a PDF', () => {
    expect(checkPdf(new TextEncoder().encode('<html>hi</html>'))).toEqual({ ok: false, reason: 'pdf.not_pdf' });
  });

  it('refuses JavaScript open actions and names what it found', () => {
    const r = checkPdf(buildPdf('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>'));
    expect(r).toEqual({ ok: false, reason: 'pdf.active_content', found: ['/JavaScript', '/JS'] });
  });

  it('refuses launch actions and embedded files, including hex-escaped names', () => {
    expect(checkPdf(buildPdf('/OpenAction << /S /Launch /F (calc.exe) >>')).found).toEqual(['/Launch']);
    expect(checkPdf(buildPdf('/Names << /EmbeddedFiles 5 0 R >> /X << /Type /EmbeddedFile >>')).found).toEqual(['/EmbeddedFile']);
    expect(checkPdf(buildPdf('/OpenAction << /S /J#61vaScript /J#53 (x) >>')).found).toEqual(['/JavaScript', '/JS']);
  });
});
