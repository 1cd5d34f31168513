import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskFleetScreen, KioskLayer } from '../../../contracts/kiosk.js';
import { kioskPairings, kioskPlays, kioskScreens } from '../../db/schema.js';
import { sseReader } from '../../testing/sse.js';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import { pairedScreen as pairedScreenOf, startPairing as startPairingOf } from './testing/screens.js';
import { randomUUID } from 'node:crypto';

let ctx: TestContext;
let admin: { cookie: string };
let editor: { cookie: string };
let base: string;

beforeAll(async () => {
  ctx = await createTestContext();
  admin = await staff(ctx, ['admin']);
  editor = await staff(ctx, ['editor']);
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => ctx?.close());

const asAdmin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, cookie = admin.cookie) =>
  ctx.app.inject({ method, url, headers: { cookie, 'accept-language': 'zh-CN' }, ...(payload === undefined ? {} : { payload: payload as object }) });
const asScreen = (method: 'GET' | 'POST', url: string, key: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: { 'x-kiosk-key': key }, ...(payload === undefined ? {} : { payload: payload as object }) });

const report = (over: Record<string, unknown> = {}) => ({ appVersion: '16.0.0', clock: new Date().toISOString(), storageUsedBytes: 1_000_000, ...over });

/** A screen's event stream over real HTTP, as the kiosk app reads it. */
async function openEvents(key: string) {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/kiosk/events`, { headers: { 'x-kiosk-key': key }, signal: ac.signal });
  expect(res.status).toBe(200);
  return { res, next: sseReader(res, 5_000), close: () => ac.abort() };
}

const startPairing = () => startPairingOf(ctx);
const pairedScreen = (settings: Record<string, unknown> = {}) => pairedScreenOf(ctx, admin.cookie, settings);

describe('pairing a screen', () => {
  it('shows a code, is claimed by an admin under a name, and takes its key once', async () => {
    const p = await startPairing();
    expect(p.code).toMatch(/^[2-9A-HJKMNP-Z]{6}$/);
    expect((await p.poll()).json()).toMatchObject({ status: 'waiting' });

    // The admin types it as read off the screen: lower case, with a dash.
    const typed = `${p.code.slice(0, 3)}-${p.code.slice(3)}`.toLowerCase();
    const claim = await asAdmin('POST', '/api/admin/kiosk-screens/claim', {
      code: typed,
      name: '人民广场东侧',
      orientation: 'portrait',
      place: { name: '人民广场', lat: 40.95, lng: 117.33 },
      openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '07:00', end: '22:00' }],
    });
    expect(claim.statusCode).toBe(201);
    const screen = claim.json<KioskFleetScreen>();
    expect(screen).toMatchObject({ name: '人民广场东侧', orientation: 'portrait', health: 'never', place: { name: '人民广场' }, timeZone: 'Asia/Shanghai' });

    const paired = (await p.poll()).json<{ status: string; key: string; screen: { id: string; name: string } }>();
    expect(paired).toMatchObject({ status: 'paired', screen: { id: screen.id, name: '人民广场东侧' } });
    expect(paired.key).toMatch(/^pk_kiosk_/);
    // The key is stored only as a hash.
    const [row] = await ctx.runtime.services.database.db.select().from(kioskScreens).where(eq(kioskScreens.id, screen.id));
    expect(row!.keyHash).not.toContain(paired.key);
    expect(JSON.stringify(row)).not.toContain(paired.key);

    const beat = await asScreen('POST', '/api/kiosk/heartbeat', paired.key, report());
    expect(beat.statusCode).toBe(200);
    expect(beat.json()).toMatchObject({ heartbeatSeconds: 30, commands: [] });
    // Used once: the pairing is spent, and the code is no longer claimable.
    expect((await p.poll()).json()).toEqual({ status: 'expired' });
    expect((await asAdmin('POST', '/api/admin/kiosk-screens/claim', { code: p.code, name: '另一块' })).statusCode).toBe(404);
  });

  it('gives a fresh key when the reply carrying the first was lost, and only the last one works', async () => {
    const p = await startPairing();
    await asAdmin('POST', '/api/admin/kiosk-screens/claim', { code: p.code, name: '地铁站 A 口' });
    const first = (await p.poll()).json<{ key: string }>().key;
    const second = (await p.poll()).json<{ key: string }>().key;
    expect(second).not.toBe(first);
    expect((await asScreen('POST', '/api/kiosk/heartbeat', first, report())).statusCode).toBe(401);
    expect((await asScreen('POST', '/api/kiosk/heartbeat', second, report())).statusCode).toBe(200);
  });

  it('refuses a wrong code in the admin’s language, a wrong secret, non-admins and anonymous screens', async () => {
    const bad = await asAdmin('POST', '/api/admin/kiosk-screens/claim', { code: '222222', name: '不存在' });
    expect(bad.statusCode).toBe(404);
    expect(bad.json()).toMatchObject({ error: { code: 'kiosk.code_unknown' } });
    expect(bad.json<{ error: { message: string } }>().error.message).toContain('没有屏幕正在显示这个配对码');
    expect((await asAdmin('POST', '/api/admin/kiosk-screens/claim', { code: 'O0I1!!', name: 'x' })).statusCode).toBe(400);

    const p = await startPairing();
    const wrong = await ctx.app.inject({ method: 'GET', url: `/api/kiosk/pairings/${p.id}`, headers: { 'x-pairing-secret': 'guess' } });
    expect(wrong.statusCode).toBe(401);
    expect((await asAdmin('POST', '/api/admin/kiosk-screens/claim', { code: p.code, name: '编辑认领' }, editor.cookie)).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/admin/kiosk-screens/claim', payload: { code: p.code, name: 'x' } })).statusCode).toBe(401);
    expect((await asScreen('POST', '/api/kiosk/heartbeat', 'pk_kiosk_nonsense', report())).statusCode).toBe(401);
    // The code is still there for the admin.
    expect((await p.poll()).json()).toMatchObject({ status: 'waiting' });
  });

  it('clears pairings a day past their time when a screen asks for a new one', async () => {
    const { db } = ctx.runtime.services.database;
    const old = await startPairing();
    await db
      .update(kioskPairings)
      .set({ expiresAt: new Date(Date.now() - 25 * 3_600_000) })
      .where(eq(kioskPairings.id, old.id));
    await startPairing();
    expect(await db.select().from(kioskPairings).where(eq(kioskPairings.id, old.id))).toEqual([]);
  });
});

describe('commands and keys', () => {
  it('delivers a command to an open screen over its event stream within seconds, and records it done', async () => {
    const s = await pairedScreen();
    const { res, next, close } = await openEvents(s.key);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(await next()).toMatchObject({ event: 'hello', data: { screen: { id: s.id } } });

    const cmd = (await asAdmin('POST', `/api/admin/kiosk-screens/${s.id}/commands`, { kind: 'refresh' })).json<{ id: string }>();
    // The reader gives up after 5 s: the command must arrive by itself, with no poll or heartbeat.
    expect(await next()).toMatchObject({ event: 'command', data: { id: cmd.id, kind: 'refresh' } });

    const done = await asScreen('POST', `/api/kiosk/commands/${cmd.id}/done`, s.key, { result: 'refreshed 42 items' });
    expect(done.statusCode).toBe(200);
    const detail = (await asAdmin('GET', `/api/admin/kiosk-screens/${s.id}`)).json<{
      commands: { id: string; sentAt: string; doneAt: string; result: string }[];
    }>();
    expect(detail.commands.find((c) => c.id === cmd.id)).toMatchObject({
      result: 'refreshed 42 items',
      sentAt: expect.any(String),
      doneAt: expect.any(String),
    });
    // Only once, and only by its own screen.
    expect((await asScreen('POST', `/api/kiosk/commands/${cmd.id}/done`, s.key, {})).statusCode).toBe(404);
    close();
  });

  it('keeps commands for a screen that is away and gives them first when it comes back', async () => {
    const s = await pairedScreen();
    const other = await pairedScreen();
    const reload = (await asAdmin('POST', `/api/admin/kiosk-screens/${s.id}/commands`, { kind: 'reload' })).json<{ id: string }>();
    const shot = (await asAdmin('POST', `/api/admin/kiosk-screens/${s.id}/commands`, { kind: 'screenshot' })).json<{ id: string }>();
    // Another screen cannot report them.
    expect((await asScreen('POST', `/api/kiosk/commands/${reload.id}/done`, other.key, {})).statusCode).toBe(404);
    // A heartbeat lists them too.
    const beat = (await asScreen('POST', '/api/kiosk/heartbeat', s.key, report())).json<{ commands: { id: string }[] }>();
    expect(beat.commands.map((c) => c.id)).toEqual([reload.id, shot.id]);

    const { next, close } = await openEvents(s.key);
    expect((await next()).event).toBe('hello');
    expect(await next()).toMatchObject({ event: 'command', data: { id: reload.id, kind: 'reload' } });
    expect(await next()).toMatchObject({ event: 'command', data: { id: shot.id, kind: 'screenshot' } });
    close();
  });

  it('revokes a key at once: the open stream is told and closed, the key fails, and the screen pairs again', async () => {
    const s = await pairedScreen();
    const { next } = await openEvents(s.key);
    await next();
    // A play reported with the key: the key is accepted (the made-up video is not live, 404) and now cached.
    const play = () =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/beacons/views',
        headers: { 'x-kiosk-key': s.key, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36' },
        payload: { submissionId: '00000000-0000-4000-8000-000000000001', channel: 'kiosk' },
      });
    expect((await play()).statusCode).toBe(404);
    const revoked = await asAdmin('POST', `/api/admin/kiosk-screens/${s.id}/revoke`);
    expect(revoked.json<KioskFleetScreen>()).toMatchObject({ health: 'revoked', revokedAt: expect.any(String) });
    expect((await next()).event).toBe('revoked');
    await expect(next()).rejects.toThrow('stream ended');
    expect((await asScreen('POST', '/api/kiosk/heartbeat', s.key, report())).statusCode).toBe(401);
    // Plays too, at once, though the beacon route had the key cached for a minute.
    expect((await play()).json()).toMatchObject({ error: { code: 'beacon.kiosk_key_invalid' } });
    expect((await fetch(`${base}/api/kiosk/events`, { headers: { 'x-kiosk-key': s.key } })).status).toBe(401);
    expect((await asAdmin('POST', `/api/admin/kiosk-screens/${s.id}/commands`, { kind: 'reload' })).statusCode).toBe(409);

    // The same screen (name, settings, schedule) on a device showing a new code.
    const p = await startPairing();
    expect((await asAdmin('POST', `/api/admin/kiosk-screens/${s.id}/pair`, { code: p.code })).statusCode).toBe(200);
    const again = (await p.poll()).json<{ status: string; key: string; screen: { id: string } }>();
    expect(again).toMatchObject({ status: 'paired', screen: { id: s.id } });
    expect((await asScreen('POST', '/api/kiosk/heartbeat', again.key, report())).statusCode).toBe(200);
    const detail = (await asAdmin('GET', `/api/admin/kiosk-screens/${s.id}`)).json<{ screen: KioskFleetScreen }>();
    expect(detail.screen).toMatchObject({ health: 'ok', revokedAt: null });
  });

  it('rotates its key when told: the new key works and the old one stops', async () => {
    const s = await pairedScreen();
    const cmd = (await asAdmin('POST', `/api/admin/kiosk-screens/${s.id}/commands`, { kind: 'rotate_key' })).json<{ id: string }>();
    const rotated = await asScreen('POST', '/api/kiosk/key', s.key);
    expect(rotated.statusCode).toBe(200);
    const { key } = rotated.json<{ key: string }>();
    expect(key).not.toBe(s.key);
    expect((await asScreen('POST', '/api/kiosk/heartbeat', s.key, report())).statusCode).toBe(401);
    expect((await asScreen('POST', '/api/kiosk/heartbeat', key, report())).statusCode).toBe(200);
    const detail = (await asAdmin('GET', `/api/admin/kiosk-screens/${s.id}`)).json<{ screen: KioskFleetScreen; commands: { id: string; result: string }[] }>();
    expect(detail.commands.find((c) => c.id === cmd.id)?.result).toBe('ok');
    expect(detail.screen.keyRotatedAt).not.toBeNull();
  });
});

describe('screenshots', () => {
  it('takes one on request: the screen sends an image, the admin sees a JPEG Paike made, the command is done', async () => {
    const s = await pairedScreen();
    expect((await asAdmin('GET', `/api/admin/kiosk-screens/${s.id}/screenshot`)).statusCode).toBe(404);
    const cmd = (await asAdmin('POST', `/api/admin/kiosk-screens/${s.id}/commands`, { kind: 'screenshot' })).json<{ id: string }>();
    const png = await sharp({ create: { width: 1080, height: 1920, channels: 3, background: '#c00' } })
      .withMetadata({ exif: { IFD0: { Artist: 'secret-serial-123' } } })
      .png()
      .toBuffer();
    const put = await ctx.app.inject({
      method: 'PUT',
      url: '/api/kiosk/screenshot',
      headers: { 'x-kiosk-key': s.key, 'content-type': 'image/png' },
      payload: png,
    });
    expect(put.statusCode).toBe(200);
    const got = await asAdmin('GET', `/api/admin/kiosk-screens/${s.id}/screenshot`);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(got.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 1080, height: 1920 });
    expect(meta.exif).toBeUndefined();
    const detail = (await asAdmin('GET', `/api/admin/kiosk-screens/${s.id}`)).json<{ screen: KioskFleetScreen; commands: { id: string; result: string }[] }>();
    expect(detail.commands.find((c) => c.id === cmd.id)?.result).toBe('ok');
    expect(detail.screen.screenshotAt).not.toBeNull();
    expect((await asAdmin('GET', `/api/admin/kiosk-screens/${s.id}/screenshot`, undefined, editor.cookie)).statusCode).toBe(403);
  });

  it('refuses what is not a screenshot: text called PNG, a decompression bomb, too many bytes, another type', async () => {
    const s = await pairedScreen();
    const put = (body: Buffer, type = 'image/png') =>
      ctx.app.inject({ method: 'PUT', url: '/api/kiosk/screenshot', headers: { 'x-kiosk-key': s.key, 'content-type': type }, payload: body });
    const text = await put(Buffer.from('<svg onload=alert(1)>'));
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ error: { code: 'kiosk.screenshot_invalid' } });
    const bomb = await sharp({ create: { width: 5_000, height: 5_000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    expect((await put(bomb)).statusCode).toBe(400);
    expect((await put(Buffer.alloc(2 * 1024 * 1024 + 1))).statusCode).toBe(413);
    expect((await put(Buffer.from('GIF89a'), 'image/gif')).statusCode).toBe(415);
    expect(
      (await ctx.app.inject({ method: 'PUT', url: '/api/kiosk/screenshot', headers: { 'content-type': 'image/png' }, payload: Buffer.from('x') })).statusCode,
    ).toBe(401);
    expect((await asAdmin('GET', `/api/admin/kiosk-screens/${s.id}/screenshot`)).statusCode).toBe(404);
  });
});

describe('the fleet page', () => {
  it('lists screens worst health first, with what they report and their clock skew', async () => {
    const { db } = ctx.runtime.services.database;
    const quiet = await pairedScreen();
    const late = await pairedScreen();
    const fine = await pairedScreen();
    for (const s of [quiet, late, fine]) await asScreen('POST', '/api/kiosk/heartbeat', s.key, report({ clock: new Date(Date.now() + 125_000).toISOString() }));
    await db
      .update(kioskScreens)
      .set({ lastSeenAt: new Date(Date.now() - 3_600_000) })
      .where(eq(kioskScreens.id, quiet.id));
    await db
      .update(kioskScreens)
      .set({ lastSeenAt: new Date(Date.now() - 120_000) })
      .where(eq(kioskScreens.id, late.id));
    const { screens } = (await asAdmin('GET', '/api/admin/kiosk-fleet')).json<{ screens: KioskFleetScreen[] }>();
    const mine = screens.filter((s) => [quiet.id, late.id, fine.id].includes(s.id));
    expect(mine.map((s) => [s.id, s.health])).toEqual([
      [quiet.id, 'offline'],
      [late.id, 'late'],
      [fine.id, 'ok'],
    ]);
    const order = screens.map((s) => s.health);
    const rank = { offline: 0, late: 1, never: 2, ok: 3, revoked: 4 };
    expect(order).toEqual([...order].sort((a, b) => rank[a] - rank[b]));
    expect(mine[2]).toMatchObject({ appVersion: '16.0.0', storageUsedBytes: 1_000_000 });
    expect(mine[2]!.clockSkewSeconds).toBeGreaterThanOrEqual(124);
    expect(mine[2]!.clockSkewSeconds).toBeLessThanOrEqual(126);
    expect((await asAdmin('GET', '/api/admin/kiosk-fleet', undefined, editor.cookie)).statusCode).toBe(403);
  });
});

describe('schedules', () => {
  it('layers a group’s loop, a screen’s own window and an interrupt, and shows what plays when', async () => {
    const group = (await asAdmin('POST', '/api/admin/kiosk-groups', { name: '社区阅报栏' })).json<{ id: string }>();
    expect((await asAdmin('POST', '/api/admin/kiosk-groups', { name: '社区阅报栏' })).statusCode).toBe(409);
    const s = await pairedScreen({ groupId: group.id, openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '06:00', end: '23:00' }] });
    // The admin page counts a group's screens.
    const groups = (await asAdmin('GET', '/api/admin/kiosk-groups')).json<{ groups: { id: string; screens: number }[] }>().groups;
    expect(groups.find((g) => g.id === group.id)?.screens).toBe(1);

    const { next, close } = await openEvents(s.key);
    await next();

    const content = { sources: ['daily_pick', 'adopted', 'chart'] };
    const loop = (await asAdmin('POST', '/api/admin/kiosk-layers', { groupId: group.id, kind: 'default', name: '日常轮播', content })).json<KioskLayer>();
    // The screen hears of it at once.
    expect((await next()).event).toBe('schedule');
    const morning = (
      await asAdmin('POST', '/api/admin/kiosk-layers', {
        screenId: s.id,
        kind: 'window',
        name: '早间新闻',
        windows: [{ days: [1, 2, 3, 4, 5], start: '07:00', end: '09:00' }],
        content: { sources: ['stories'] },
      })
    ).json<KioskLayer>();
    const urgent = (
      await asAdmin('POST', '/api/admin/kiosk-layers', {
        groupId: group.id,
        kind: 'interrupt',
        name: '突发：暴雨预警',
        startsAt: '2026-12-09T08:00:00+08:00',
        endsAt: '2026-12-09T08:30:00+08:00',
        content: { sources: ['notices'] },
      })
    ).json<KioskLayer>();
    expect(urgent.scope).toBe('group');

    const at = async (local: string) =>
      (await asAdmin('GET', `/api/admin/kiosk-screens/${s.id}/schedule?at=${encodeURIComponent(`${local}+08:00`)}&hours=24`)).json<{
        now: { dark: boolean; layer: KioskLayer | null };
        nextChangeAt: string | null;
        timeline: { from: string; dark: boolean; layerId: string | null }[];
      }>();
    expect((await at('2026-12-09T07:30:00')).now.layer?.id).toBe(morning.id);
    expect((await at('2026-12-09T08:10:00')).now.layer?.id).toBe(urgent.id);
    expect((await at('2026-12-09T12:00:00')).now.layer?.id).toBe(loop.id);
    expect((await at('2026-12-09T23:30:00')).now).toEqual({ dark: true, layer: null });
    const day = await at('2026-12-09T00:00:00');
    expect(day.timeline.map((t) => [t.from, t.dark ? 'dark' : t.layerId])).toEqual([
      ['2026-12-08T16:00:00.000Z', 'dark'],
      ['2026-12-08T22:00:00.000Z', loop.id],
      ['2026-12-08T23:00:00.000Z', morning.id],
      ['2026-12-09T00:00:00.000Z', urgent.id],
      ['2026-12-09T00:30:00.000Z', morning.id],
      ['2026-12-09T01:00:00.000Z', loop.id],
      ['2026-12-09T15:00:00.000Z', 'dark'],
    ]);
    expect(day.nextChangeAt).toBe('2026-12-08T22:00:00.000Z');

    // The screen's own copy, to resolve offline.
    const own = (await asScreen('GET', '/api/kiosk/schedule', s.key)).json<{ layers: KioskLayer[]; power: { timeZone: string; hours: unknown[] } }>();
    expect(own.layers.map((l) => l.id).sort()).toEqual([loop.id, morning.id, urgent.id].sort());
    expect(own.power).toMatchObject({ timeZone: 'Asia/Shanghai', hours: [{ start: '06:00', end: '23:00' }] });

    expect((await asAdmin('DELETE', `/api/admin/kiosk-layers/${urgent.id}`)).statusCode).toBe(204);
    expect((await at('2026-12-09T08:10:00')).now.layer?.id).toBe(morning.id);
    close();
  });

  it('refuses layers that cannot be scheduled, saying which field', async () => {
    const group = (await asAdmin('POST', '/api/admin/kiosk-groups', { name: '写字楼' })).json<{ id: string }>();
    const content = { sources: ['adopted'] };
    const cases: [Record<string, unknown>, string][] = [
      [{ groupId: group.id, kind: 'window', name: '无时段', content }, 'windows'],
      [{ groupId: group.id, kind: 'window', name: '坏时间', windows: [{ days: [1], start: '25:00', end: '09:00' }], content }, 'windows'],
      [{ groupId: group.id, kind: 'campaign', name: '倒序', fromDate: '2026-12-10', toDate: '2026-12-01', content }, 'fromDate'],
      [{ groupId: group.id, kind: 'interrupt', name: '太长', startsAt: '2026-12-09T00:00:00Z', endsAt: '2026-12-11T00:00:00Z', content }, 'endsAt'],
      [{ kind: 'default', name: '无归属', content }, 'groupId'],
      [{ groupId: group.id, kind: 'default', name: '无内容', content: { sources: [] } }, 'content'],
    ];
    for (const [body, field] of cases) {
      const res = await asAdmin('POST', '/api/admin/kiosk-layers', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json())).toContain(field);
    }
    expect(
      (await asAdmin('POST', '/api/admin/kiosk-layers', { groupId: '00000000-0000-4000-8000-000000000000', kind: 'default', name: 'x', content })).statusCode,
    ).toBe(404);
  });
});

describe('proof of play', () => {
  it('counts each play once however often it is sent, and refuses plays that cannot have happened', async () => {
    const { services } = ctx.runtime;
    const fx = propagationFixtures(services);
    const campaignId = (await fx.campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2030-01-01T00:00:00+08:00' })).id;
    const userId = (await fx.user('王小丫')).id;
    const onKiosk = await fx.video({ campaignId, userId, adoptedAt: '2026-01-01T00:00:00Z' });
    await fx.publication(onKiosk, 'kiosk');
    const appOnly = await fx.video({ campaignId, userId, adoptedAt: '2026-01-01T00:00:00Z' });
    await fx.publication(appOnly, 'app');
    const s = await pairedScreen();
    const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    const plays = [
      { id: randomUUID(), submissionId: onKiosk, playedAt: ago(30), durationMs: 75_000 },
      { id: randomUUID(), submissionId: onKiosk, playedAt: ago(28), durationMs: 75_000 },
      // Played during an outage two hours ago, reported now.
      { id: randomUUID(), submissionId: onKiosk, playedAt: ago(120), durationMs: 60_000 },
    ];
    const send = (body: unknown[]) => asScreen('POST', '/api/kiosk/plays', s.key, { plays: body });
    const first = await send(plays);
    expect(first.statusCode).toBe(200);
    expect(first.json<{ results: { outcome: string }[] }>().results.map((r) => r.outcome)).toEqual(['counted', 'counted', 'counted']);
    // The reply was lost: the screen sends the whole buffer again, with one new play.
    const fourth = { id: randomUUID(), submissionId: onKiosk, playedAt: ago(1), durationMs: 75_000 };
    const again = await send([...plays, fourth]);
    expect(again.json<{ results: { id: string; outcome: string }[] }>().results).toEqual([
      ...plays.map((p) => ({ id: p.id, outcome: 'duplicate' })),
      { id: fourth.id, outcome: 'counted' },
    ]);
    expect(await services.kioskPlays.viewsOf(onKiosk)).toBe(4);

    const bad = await send([
      { id: randomUUID(), submissionId: appOnly, playedAt: ago(5), durationMs: 75_000 },
      { id: randomUUID(), submissionId: onKiosk, playedAt: ago(5), durationMs: 1_200 },
      { id: randomUUID(), submissionId: onKiosk, playedAt: new Date(Date.now() + 3_600_000).toISOString(), durationMs: 75_000 },
      { id: randomUUID(), submissionId: onKiosk, playedAt: ago(8 * 24 * 60), durationMs: 75_000 },
    ]);
    expect(bad.json<{ results: { outcome: string }[] }>().results.map((r) => r.outcome)).toEqual(['not_on_kiosk', 'too_short', 'in_future', 'too_old']);
    expect(await services.kioskPlays.viewsOf(onKiosk)).toBe(4);
    expect(await services.kioskPlays.viewsOf(appOnly)).toBe(0);
    expect((await asScreen('POST', '/api/kiosk/plays', 'pk_kiosk_stolen', { plays: [fourth] })).statusCode).toBe(401);
    // Removing the screen keeps what it played counted.
    expect((await asAdmin('DELETE', `/api/admin/kiosk-screens/${s.id}`)).statusCode).toBe(204);
    expect(await services.kioskPlays.viewsOf(onKiosk)).toBe(4);
  });
});

describe('proof of play from a screen with a wrong clock', () => {
  it('reads plays on the screen’s own clock when it says what that clock showed at sending', async () => {
    const { services } = ctx.runtime;
    const fx = propagationFixtures(services);
    const campaignId = (await fx.campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2030-01-01T00:00:00+08:00' })).id;
    const video = await fx.video({ campaignId, userId: (await fx.user('李拍客')).id, adoptedAt: '2026-01-01T00:00:00Z' });
    await fx.publication(video, 'kiosk');
    const s = await pairedScreen();
    // The screen's clock runs two hours fast (its clock was fast-forwarded through an outage).
    const screenNow = Date.now() + 2 * 3_600_000;
    const at = (min: number) => new Date(screenNow - min * 60_000).toISOString();
    const plays = [
      { id: randomUUID(), submissionId: video, playedAt: at(90), durationMs: 60_000 },
      { id: randomUUID(), submissionId: video, playedAt: at(10), durationMs: 60_000 },
    ];
    // Without its clock, those plays are in the future and not counted.
    const naive = await asScreen('POST', '/api/kiosk/plays', s.key, { plays: [plays[0]] });
    expect(naive.json<{ results: { outcome: string }[] }>().results[0]!.outcome).toBe('in_future');
    const res = await asScreen('POST', '/api/kiosk/plays', s.key, { plays, sentAt: new Date(screenNow).toISOString() });
    expect(res.json<{ results: { outcome: string }[] }>().results.map((r) => r.outcome)).toEqual(['counted', 'counted']);
    // Stored on the server's clock: 90 and 10 minutes ago.
    const rows = await ctx.runtime.services.database.db.select().from(kioskPlays).where(eq(kioskPlays.screenId, s.id));
    const agoMin = rows.map((r) => Math.round((Date.now() - r.playedAt.getTime()) / 60_000)).sort((a, b) => a - b);
    expect(agoMin).toEqual([10, 90]);
    expect(await services.kioskPlays.viewsOf(video)).toBe(2);
  });
});

describe('a contributor', () => {
  it('cannot see or touch the fleet', async () => {
    const c = await signUp(ctx.app);
    for (const [m, u] of [
      ['GET', '/api/admin/kiosk-fleet'],
      ['GET', '/api/admin/kiosk-groups'],
      ['GET', '/api/admin/kiosk-layers'],
    ] as const)
      expect((await asAdmin(m, u, undefined, c.cookie)).statusCode).toBe(403);
  });
});
