import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';
import { pairedScreen } from '../kiosk/testing/screens.js';

// The tile server lives outside this machine in production: a loopback fake stands in for it.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
let tiles: Server;
const asked: string[] = [];
let ctx: TestContext;

beforeAll(async () => {
  tiles = createServer((req, res) => {
    asked.push(req.url ?? '');
    if (req.url?.startsWith('/5/')) return void res.writeHead(500).end('down');
    // A tile server that answers with script in an image type: never served from Paike's origin.
    if (req.url?.startsWith('/6/'))
      return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
  });
  await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
  const port = (tiles.address() as AddressInfo).port;
  ctx = await createTestContext({ env: { MAP_TILE_URL: `http://127.0.0.1:${port}/{z}/{x}/{y}.png` } });
}, 60_000);
afterAll(async () => {
  await ctx?.close();
  await new Promise((resolve) => tiles?.close(resolve));
});

describe('street tiles through Paike', () => {
  it('hands the page the proxy template and serves tiles to the desk only', async () => {
    const editor = await staff(ctx, ['editor']);
    const contributor = await signUp(ctx.app);
    const get = (cookie: string, url: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie } });
    expect((await get(editor.cookie, '/api/command/map')).json().tileUrl).toBe('/api/command/map/tiles/{z}/{x}/{y}');
    const ok = await get(editor.cookie, '/api/command/map/tiles/3/6/2');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
    expect(ok.rawPayload.equals(PNG)).toBe(true);
    expect(asked).toEqual(['/3/6/2.png']);
    expect((await get(contributor.cookie, '/api/command/map/tiles/3/6/2')).statusCode).toBe(403);
    expect((await get(editor.cookie, '/api/command/map/tiles/3/8/2')).json().error.code).toBe('command.location.tiles_not_configured');
    expect((await get(editor.cookie, '/api/command/map/tiles/20/0/0')).statusCode).toBe(400);
    const down = await get(editor.cookie, '/api/command/map/tiles/5/1/1');
    expect(down.statusCode).toBe(502);
    expect(down.json().error.code).toBe('command.location.tile_unavailable');
    expect(asked).toHaveLength(2);
    const svg = await get(editor.cookie, '/api/command/map/tiles/6/1/1');
    expect(svg.statusCode).toBe(502);
    expect(svg.body).not.toContain('<script>');
  });
});

describe('kiosk screens on the map', () => {
  it('shows screens with a place and their health to the desk, never revoked or unplaced ones', async () => {
    const admin = await staff(ctx, ['admin']);
    const editor = await staff(ctx, ['editor']);
    const place = (name: string, lat: number, lng: number) => ({ place: { name, lat, lng } });
    const up = await pairedScreen(ctx, admin.cookie, place('承德市图书馆', 40.976, 117.939));
    const quiet = await pairedScreen(ctx, admin.cookie, place('滦平县政府大厅', 40.941, 117.332));
    const gone = await pairedScreen(ctx, admin.cookie, place('失窃的屏', 41, 117));
    const unplaced = await pairedScreen(ctx, admin.cookie);
    const beat = await ctx.app.inject({
      method: 'POST',
      url: '/api/kiosk/heartbeat',
      headers: { 'x-kiosk-key': up.key },
      payload: { appVersion: '16.0.0', clock: new Date().toISOString(), storageUsedBytes: 1 },
    });
    expect(beat.statusCode).toBe(200);
    await ctx.app.inject({ method: 'POST', url: `/api/admin/kiosk-screens/${gone.id}/revoke`, headers: { cookie: admin.cookie } });

    const map = await ctx.app.inject({ method: 'GET', url: '/api/command/map', headers: { cookie: editor.cookie } });
    expect(map.statusCode).toBe(200);
    const kiosks = map.json<{ kiosks: { id: string; placeName: string; lat: number; health: string; lastSeenAt: string | null }[] }>().kiosks;
    const ids = kiosks.map((k) => k.id);
    expect(ids).toContain(up.id);
    expect(ids).toContain(quiet.id);
    expect(ids).not.toContain(gone.id);
    expect(ids).not.toContain(unplaced.id);
    expect(kiosks.find((k) => k.id === up.id)).toMatchObject({ placeName: '承德市图书馆', lat: 40.976, health: 'ok' });
    expect(kiosks.find((k) => k.id === quiet.id)).toMatchObject({ health: 'never', lastSeenAt: null });
    // Nothing of a screen's key or device reaches the desk.
    expect(map.body).not.toContain(up.key);
  });
});
