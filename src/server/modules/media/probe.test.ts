import { createServer, type Server } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fixtures, type FixtureName } from './media.fixtures.js';
import { MediaRejectedError, checkDecodes, checkProbe, probeMedia, sniffBytes, type CheckResult } from './probe.js';

const rules = { minDurationSeconds: 60, maxDurationSeconds: 180 };
const names: FixtureName[] = [
  'h264-aac-portrait.mp4',
  'hevc-rotated.mov',
  'vfr-portrait.mp4',
  'vp9.webm',
  'recorder-live.webm',
  'silent.mp4',
  'empty.mp4',
  'text.mp4',
  'truncated.mp4',
  'audio-only.m4a',
  'short-10s.mp4',
  'long-181s.mp4',
  '8k.mp4',
  'corrupt-middle.mp4',
];
let f: Record<FixtureName, string>;

/** The whole intake decision the job will make: probe, policy, then decode checks. */
async function verdict(path: string): Promise<CheckResult> {
  try {
    const facts = await probeMedia(path);
    const c = checkProbe(facts, rules);
    if (!c.ok) return c;
    return (await checkDecodes(path, facts)).result;
  } catch (err) {
    if (err instanceof MediaRejectedError) return { ok: false, code: err.code, params: err.params };
    throw err;
  }
}

beforeAll(async () => {
  f = await fixtures(names);
}, 180_000);

describe('probeMedia: phone shapes', () => {
  it('reads an iPhone-like rotated HEVC .mov as portrait', async () => {
    const facts = await probeMedia(f['hevc-rotated.mov']);
    expect(facts.demuxer).toBe('mov');
    expect(facts.video).toMatchObject({ codec: 'hevc', codedWidth: 568, codedHeight: 320, displayWidth: 320, displayHeight: 568 });
    expect([90, 270]).toContain(facts.video?.rotation);
    expect(await verdict(f['hevc-rotated.mov'])).toEqual({ ok: true });
  });

  it('flags variable frame rate on the Android-like portrait mp4', async () => {
    const facts = await probeMedia(f['vfr-portrait.mp4']);
    expect(facts.video).toMatchObject({ codec: 'h264', displayWidth: 320, displayHeight: 568, isVfr: true });
    expect(await verdict(f['vfr-portrait.mp4'])).toEqual({ ok: true });
  });

  it('accepts VP9 webm, H.264/AAC and silent video', async () => {
    const webm = await probeMedia(f['vp9.webm']);
    expect(webm).toMatchObject({ demuxer: 'matroska', video: { codec: 'vp9', isVfr: false } });
    const ok = await probeMedia(f['h264-aac-portrait.mp4']);
    expect(ok.audio).toMatchObject({ codec: 'aac', sampleRate: 48000 });
    expect(Math.round(ok.durationSeconds)).toBe(64);
    expect((await probeMedia(f['silent.mp4'])).audio).toBeNull();
    for (const n of ['vp9.webm', 'h264-aac-portrait.mp4', 'silent.mp4'] as const) expect(await verdict(f[n])).toEqual({ ok: true });
  });

  it('measures a streamed recording whose container gives no duration (a phone’s MediaRecorder)', async () => {
    const facts = await probeMedia(f['recorder-live.webm']);
    expect(facts.video).toMatchObject({ codec: 'vp8', codedWidth: 320, codedHeight: 240 });
    expect(facts.durationSeconds).toBeGreaterThan(4.8);
    expect(facts.durationSeconds).toBeLessThan(5.3);
    // Under a call's rules it passes; it is not "too short" for lack of a header.
    expect(checkProbe(facts, { minDurationSeconds: 1, maxDurationSeconds: 3600 })).toEqual({ ok: true });
  });
});

describe('bad input is refused with a precise code', () => {
  const cases: [FixtureName, string, Record<string, unknown>?][] = [
    ['empty.mp4', 'media.empty'],
    ['text.mp4', 'media.not_video'],
    ['truncated.mp4', 'media.unreadable'],
    ['audio-only.m4a', 'media.no_video'],
    ['short-10s.mp4', 'media.too_short', { seconds: 10, min: 60 }],
    ['long-181s.mp4', 'media.too_long', { seconds: 181, max: 180 }],
    // 2 s long as well: frame size is checked before duration, so size is the reason.
    ['8k.mp4', 'media.frame_too_large', { width: 7680, height: 4320 }],
    ['corrupt-middle.mp4', 'media.corrupt'],
  ];
  for (const [name, code, params] of cases) {
    it(`${name} → ${code}`, async () => {
      const v = await verdict(f[name]);
      expect(v).toMatchObject({ ok: false, code, ...(params ? { params } : {}) });
    });
  }

  it('refuses a tiny frame', () => {
    const facts = {
      formatName: 'mov',
      demuxer: 'mov' as const,
      durationSeconds: 90,
      sizeBytes: 1,
      bitRate: null,
      audio: null,
      video: {
        codec: 'h264',
        profile: 'High',
        pixFmt: 'yuv420p',
        codedWidth: 176,
        codedHeight: 144,
        rotation: 0 as const,
        displayWidth: 176,
        displayHeight: 144,
        frameRate: 30,
        isVfr: false,
        bitRate: null,
        frames: 2700,
      },
    };
    expect(checkProbe(facts, rules)).toMatchObject({ ok: false, code: 'media.frame_too_small', params: { width: 176, height: 144 } });
  });
});

describe('playlists are refused without any reference being opened', () => {
  let server: Server;
  let hits = 0;
  let port = 0;
  let dir: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    dir = await mkdtemp(join(tmpdir(), 'paike-playlist-'));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const bodies = (p: number, missing: string) => ({
    'hls.mp4': `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nhttp://127.0.0.1:${p}/x.ts\n#EXTINF:4,\nfile:${missing}\n#EXT-X-ENDLIST\n`,
    'hls-bom.mov': `\uFEFF  #EXTM3U\n#EXTINF:4,\nhttp://127.0.0.1:${p}/y.ts\n`,
    'concat.mp4': `ffconcat version 1.0\nfile 'http://127.0.0.1:${p}/z.mp4'\nfile '${missing}'\n`,
    'concat-bare.mp4': `file 'http://127.0.0.1:${p}/w.mp4'\nfile '${missing}'\n`,
  });

  it('refuses HLS and ffconcat files by content, whatever the extension', async () => {
    for (const [name, body] of Object.entries(bodies(port, join(dir, 'never-created.ts')))) {
      const path = join(dir, name);
      await writeFile(path, body);
      expect(await verdict(path), name).toMatchObject({ ok: false, code: 'media.playlist_refused' });
    }
    expect(hits).toBe(0);
  });

  it('sniffs containers by magic bytes, not names', () => {
    expect(sniffBytes(Buffer.from('\x00\x00\x00\x18ftypmp42', 'latin1'))).toEqual({ kind: 'container', demuxer: 'mov' });
    expect(sniffBytes(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1, 2]))).toEqual({ kind: 'container', demuxer: 'matroska' });
    expect(sniffBytes(Buffer.from('RIFF\x00\x00\x00\x00AVI LIST', 'latin1')).kind).toBe('unknown');
    expect(sniffBytes(Buffer.from('#EXTM3U\n')).kind).toBe('playlist');
  });
});
