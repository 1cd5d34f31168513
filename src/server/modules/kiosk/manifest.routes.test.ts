import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kioskManifestReply, type KioskManifest } from '../../../contracts/kiosk.js';
import { createTestContext, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import { filesOf, pickVariant, variantsOf } from './manifest.service.js';
import { pairedScreen } from './testing/screens.js';

let ctx: TestContext;
let admin: { cookie: string };
let base: string;

beforeAll(async () => {
  ctx = await createTestContext();
  admin = await staff(ctx, ['admin']);
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => ctx?.close());

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=240x426
240p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=480x854
480p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1080x1920
src/index.m3u8
`;
const MEDIA = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000,
seg_000.m4s
#EXTINF:2.500,
seg_001.m4s
#EXT-X-ENDLIST
`;

/** A video live on the kiosk channel with an HLS ladder in storage, as processing leaves it. */
async function kioskVideo() {
  const { services } = ctx.runtime;
  const fx = propagationFixtures(services);
  const campaignId = (await fx.campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2030-01-01T00:00:00+08:00' })).id;
  const id = await fx.video({ campaignId, userId: (await fx.user('王小丫')).id, adoptedAt: '2026-01-01T00:00:00Z', title: '滦平的清晨' });
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-hls-'));
  const files: Record<string, string | Buffer> = {
    'hls/master.m3u8': MASTER,
    'hls/480p/index.m3u8': MEDIA,
    'hls/480p/init.mp4': Buffer.alloc(800, 1),
    'hls/480p/seg_000.m4s': Buffer.alloc(40_000, 2),
    'hls/480p/seg_001.m4s': Buffer.alloc(25_000, 3),
    'hls/240p/index.m3u8': MEDIA,
    'poster.jpg': Buffer.alloc(5_000, 4),
  };
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  await services.storage.putDir(`submissions/${id}`, dir);
  rmSync(dir, { recursive: true, force: true });
  await services.submissionsRepo.update(id, {
    outputs: { original: `submissions/${id}/original.mp4`, master: `submissions/${id}/hls/master.m3u8`, poster: `submissions/${id}/poster.jpg` },
  });
  await fx.publication(id, 'kiosk');
  return { id, campaignId, files };
}

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const verify = (body: string, signature: string | null, key: string) =>
  signature === `hmac-sha256=${createHmac('sha256', sha(key)).update(body).digest('base64url')}`;

describe('the offline manifest', () => {
  it('lists one rendition’s files with their hashes, signed for the screen, and answers 304 while nothing changed', async () => {
    const v = await kioskVideo();
    const screen = await pairedScreen(ctx, admin.cookie, { campaignId: v.campaignId });
    // Over real HTTP, as the kiosk fetches it: the signature holds over the bytes that arrive.
    const res = await fetch(`${base}/api/kiosk/manifest`, { headers: { 'x-kiosk-key': screen.key } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(verify(body, res.headers.get('paike-manifest-signature'), screen.key)).toBe(true);
    expect(verify(body, res.headers.get('paike-manifest-signature'), 'pk_kiosk_someone_else')).toBe(false);
    // The body is put together from cached parts: it must still be exactly the documented shape.
    const m: KioskManifest = kioskManifestReply.parse(JSON.parse(body));
    expect(Object.keys(m)).toEqual(Object.keys(kioskManifestReply.shape));
    expect(res.headers.get('etag')).toBe(`"${m.version}"`);

    const item = m.items.find((i) => i.submissionId === v.id)!;
    const media = `/api/media/submissions/${v.id}/`;
    // The best rendition within 3 Mb/s: 480p, not the 5 Mb/s source.
    expect(item.offline).toEqual({
      hlsUrl: `${media}hls/480p/index.m3u8`,
      assets: ['poster.jpg', 'hls/480p/index.m3u8', 'hls/480p/init.mp4', 'hls/480p/seg_000.m4s', 'hls/480p/seg_001.m4s'].map((f) => media + f),
    });
    for (const url of item.offline!.assets) {
      const a = m.assets.find((x) => x.url === url)!;
      const bytes = v.files[url.slice(media.length)]!;
      expect(a).toMatchObject({ sha256: sha(bytes), bytes: Buffer.byteLength(bytes) });
    }
    expect(m.totalBytes).toBe(m.assets.reduce((n, a) => n + a.bytes, 0));
    expect(m.storageBudgetBytes).toBe(4096 * 1024 * 1024);
    // The files listed are the ones the screen can fetch without a session.
    const seg = await fetch(`${base}${media}hls/480p/seg_000.m4s`);
    expect(seg.status).toBe(200);
    expect(sha(Buffer.from(await seg.arrayBuffer()))).toBe(m.assets.find((a) => a.url.endsWith('seg_000.m4s'))!.sha256);

    const again = await fetch(`${base}/api/kiosk/manifest`, { headers: { 'x-kiosk-key': screen.key, 'if-none-match': `"${m.version}"` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    // A new layer is a new schedule, so a new manifest.
    const layer = await ctx.app.inject({
      method: 'POST',
      url: '/api/admin/kiosk-layers',
      headers: { cookie: admin.cookie },
      payload: { screenId: screen.id, kind: 'default', name: '大堂日常', content: { sources: ['adopted'] } },
    });
    expect(layer.statusCode).toBe(201);
    const changed = await fetch(`${base}/api/kiosk/manifest`, { headers: { 'x-kiosk-key': screen.key, 'if-none-match': `"${m.version}"` } });
    expect(changed.status).toBe(200);
    const m2 = (await changed.json()) as KioskManifest;
    expect(m2.version).not.toBe(m.version);
    expect(m2.schedule.version).not.toBe(m.schedule.version);
    expect(m2.schedule.layers.map((l) => l.name)).toEqual(['大堂日常']);
    expect(m2.assets).toEqual(m.assets);
  });

  it('is refused to an unknown or revoked key', async () => {
    const screen = await pairedScreen(ctx, admin.cookie);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/kiosk/manifest', headers: { 'x-kiosk-key': 'pk_kiosk_stolen' } })).statusCode).toBe(401);
    const revoke = await ctx.app.inject({ method: 'POST', url: `/api/admin/kiosk-screens/${screen.id}/revoke`, headers: { cookie: admin.cookie } });
    expect(revoke.statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/kiosk/manifest', headers: { 'x-kiosk-key': screen.key } })).statusCode).toBe(401);
  });
});

describe('reading HLS playlists', () => {
  it('picks the best rendition within the offline bandwidth, else the lightest, and never leaves the folder', () => {
    expect(pickVariant(variantsOf(MASTER))).toEqual({ uri: '480p/index.m3u8', bandwidth: 1_200_000 });
    expect(
      pickVariant([
        { uri: 'a/index.m3u8', bandwidth: 9_000_000 },
        { uri: 'b/index.m3u8', bandwidth: 6_000_000 },
      ])?.uri,
    ).toBe('b/index.m3u8');
    expect(variantsOf('#EXT-X-STREAM-INF:BANDWIDTH=1\n../../etc/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\n/abs/index.m3u8\n')).toEqual([]);
    expect(filesOf(MEDIA)).toEqual({ init: ['init.mp4'], segments: ['seg_000.m4s', 'seg_001.m4s'] });
    expect(filesOf('#EXT-X-MAP:URI="../x.mp4"\n../seg.m4s\nhttps://evil.example/seg.m4s\nok.m4s\n')).toEqual({ init: [], segments: ['ok.m4s'] });
  });
});
