import sharp from 'sharp';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { checkEpub, EpubRefused, type EpubRefusal } from './epub-check.js';
import { buildEpub } from './testing/fixtures.js';

const dec = new TextDecoder();

function refusal(bytes: Uint8Array): EpubRefusal | 'accepted' {
  try {
    checkEpub(bytes);
    return 'accepted';
  } catch (e) {
    if (e instanceof EpubRefused) return e.reason;
    throw e;
  }
}

describe('checkEpub', () => {
  it('accepts a clean book, reads its metadata and repacks it with mimetype first', () => {
    const r = checkEpub(buildEpub());
    expect(r).toMatchObject({ opfPath: 'OEBPS/content.opf', title: '边城', author: '沈从文', language: 'zh-CN', cover: null });
    expect(r.neutralised).toEqual({ scripts: 0, eventHandlers: 0, javascriptUrls: 0, remoteReferences: 0 });
    // The spec requires `mimetype` to be the first entry, stored: bytes 30.. of the file spell it.
    expect(dec.decode(r.bytes.subarray(30, 38))).toBe('mimetype');
    expect(dec.decode(unzipSync(r.bytes)['OEBPS/c1.xhtml'])).toContain('由四川过湖南去');
  });

  it('finds the cover image named in the OPF', async () => {
    const png = await sharp({ create: { width: 40, height: 60, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const r = checkEpub(buildEpub({ cover: new Uint8Array(png) }));
    expect(r.cover?.path).toBe('OEBPS/images/cover.png');
    expect((await sharp(r.cover!.bytes).metadata()).height).toBe(60);
  });

  it('refuses a zip bomb while inflating it', () => {
    const bomb = buildEpub({ extra: { 'OEBPS/zeros.bin': new Uint8Array(20 * 1024 * 1024) } });
    expect(bomb.byteLength).toBeLessThan(200_000);
    expect(refusal(bomb)).toBe('epub.zip_bomb');
  });

  it('refuses path traversal and absolute entry names', () => {
    expect(refusal(buildEpub({ extra: { '../evil.sh': 'x' } }))).toBe('epub.unsafe_path');
    expect(refusal(buildEpub({ extra: { 'OEBPS/../../evil.sh': 'x' } }))).toBe('epub.unsafe_path');
    expect(refusal(buildEpub({ extra: { '/etc/passwd': 'x' } }))).toBe('epub.unsafe_path');
  });

  it('refuses files that are not EPUBs', () => {
    expect(refusal(new TextEncoder().encode('%PDF-1.4'))).toBe('epub.not_zip');
    expect(refusal(buildEpub({ mimetype: null }))).toBe('epub.bad_mimetype');
    expect(refusal(buildEpub({ mimetype: 'application/zip' }))).toBe('epub.bad_mimetype');
    expect(refusal(buildEpub({ opfPath: 'OEBPS/missing.opf' }))).toBe('epub.no_opf');
  });

  it('strips scripts, event handlers, javascript: URLs and remote resources, keeping the text', () => {
    const r = checkEpub(
      buildEpub({
        chapter:
          '<script>steal()</script><p onclick="steal()">正文</p><a href="javascript:steal()">x</a>' +
          '<img src="https://tracker.example/p.gif"/><img src="images/ok.png"/><a href="https://example.org/">链接</a>' +
          '<p style="background:url(http://t.example/x.png)">背景</p>',
      }),
    );
    expect(r.neutralised).toEqual({ scripts: 1, eventHandlers: 1, javascriptUrls: 1, remoteReferences: 2 });
    const page = dec.decode(unzipSync(r.bytes)['OEBPS/c1.xhtml']);
    expect(page).not.toMatch(/script|onclick|javascript:|tracker\.example|t\.example/i);
    expect(page).toContain('正文');
    expect(page).toContain('images/ok.png');
    expect(page).toContain('https://example.org/');
  });
});
