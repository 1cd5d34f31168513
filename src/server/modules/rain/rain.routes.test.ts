import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { createGrabFastPath } from './rain.fast-path.js';
import { AppError } from '../../lib/errors.js';
import { translate } from '../../lib/messages.js';
import { createRainRedis } from './rain.redis.js';
import { createRainRepository } from './rain.repository.js';
import { createRainService } from './rain.service.js';
import { createRainTokens, rainTokenSecret } from './rain.token.js';

// The clock starts at the real time so accounts' created_at (set by the database) lines up with it.
const clock = fixedClock(new Date());
let ctx: TestContext;
let admin: { cookie: string; user: { id: string } };
let campaignId: string;
let ipSeq = 0;
let sessionSeq = 0;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  admin = await staff(ctx, ['admin']);
  const c = await ctx.runtime.services.campaigns.create(null, { ...demoCampaign(clock.now()), slug: `rain-${randomBytes(4).toString('hex')}` });
  campaignId = c.id;
}, 120_000);
afterAll(async () => {
  await ctx?.close();
});

const db = () => ctx.runtime.services.database.db;
const rain = () => ctx.runtime.services.rain;

interface Contributor {
  cookie: string;
  id: string;
  ip: string;
}

/** Contributors of the campaign whose accounts are `ageHours` old (backdated: sign-up cannot be). */
async function contributors(n: number, opts: { ageHours?: number; ip?: string } = {}): Promise<Contributor[]> {
  const out: Contributor[] = [];
  for (let i = 0; i < n; i += 8) {
    const batch = await Promise.all(Array.from({ length: Math.min(8, n - i) }, () => signUp(ctx.app, { campaignId })));
    out.push(...batch.map((b) => ({ cookie: b.cookie, id: b.user.id, ip: opts.ip ?? `10.${(++ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}` })));
  }
  const ids = out.map((c) => c.id);
  await db().execute(
    sql`UPDATE users SET created_at = ${new Date(clock.now().getTime() - (opts.ageHours ?? 24 * 30) * 3600_000)} WHERE id IN (${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
  return out;
}

async function openSession(opts: { budgetFen: number; packetCount: number; requireSubmission?: boolean; startInSeconds?: number }) {
  // A millisecond apart each: a campaign has one session per start instant, and the test clock stands still.
  const startsAt = new Date(clock.now().getTime() + (opts.startInSeconds ?? -1) * 1000 - ++sessionSeq);
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/admin/campaigns/${campaignId}/rain/sessions`,
    headers: { cookie: admin.cookie },
    payload: {
      startsAt: startsAt.toISOString(),
      durationSeconds: 60,
      budgetFen: opts.budgetFen,
      packetCount: opts.packetCount,
      eligibility: { requireSubmission: !!opts.requireSubmission },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().session as { id: string; state: string; endsAt: string };
}

async function token(c: Contributor, sessionId: string): Promise<string> {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/rain/sessions/${sessionId}/token`, headers: { cookie: c.cookie }, remoteAddress: c.ip });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token as string;
}

const grab = (c: Contributor, sessionId: string, tok: string | undefined, lang = 'zh-CN') =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/rain/sessions/${sessionId}/grab`,
    headers: { cookie: c.cookie, 'accept-language': lang, ...(tok ? { 'x-rain-token': tok } : {}) },
    remoteAddress: c.ip,
  });

/** As the rain page grabs: no cookie (the token names the contributor), a device id and a fingerprint. */
const pageGrab = (c: Contributor, sessionId: string, tok: string | undefined, device: string, ip = c.ip) =>
  ctx.app.inject({
    method: 'POST',
    url: `/api/rain/sessions/${sessionId}/grab`,
    headers: { ...(tok ? { 'x-rain-token': tok } : {}), 'x-rain-device': device, 'x-rain-fingerprint': '0123456789abcdef', 'sec-fetch-site': 'same-origin' },
    remoteAddress: ip,
  });

const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? r) as T[];

/** Every invariant of a settled session, read from the tables. */
async function checkSession(sessionId: string, budgetFen: number) {
  const grabs = await rain().listGrabs(sessionId);
  const granted = grabs.reduce((a, g) => a + g.amountFen, 0);
  expect(new Set(grabs.map((g) => g.userId)).size).toBe(grabs.length);
  expect(new Set(grabs.map((g) => g.packetIdx)).size).toBe(grabs.length);
  expect(granted).toBeLessThanOrEqual(budgetFen);
  const packets = await db().execute(
    sql`SELECT idx, amount_fen::text AS amount, winner_user_id AS winner, grab_id FROM rain_packets WHERE session_id = ${sessionId}`,
  );
  const rows = ((packets as { rows?: unknown[] }).rows ?? packets) as { idx: number; amount: string; winner: string | null; grab_id: string | null }[];
  expect(rows.reduce((a, p) => a + Number(p.amount), 0)).toBe(budgetFen);
  // Packets and grabs agree one to one.
  const byIdx = new Map(grabs.map((g) => [g.packetIdx, g]));
  for (const p of rows) {
    const g = byIdx.get(p.idx);
    expect(p.winner ?? null).toBe(g?.userId ?? null);
    if (g) expect(Number(p.amount)).toBe(g.amountFen);
  }
  return { grabs, granted, packets: rows.length };
}

describe('schedule and listing', () => {
  it('schedules a month at Shanghai times, skips existing times, and lists sessions with their state', async () => {
    const body = { firstDay: '2030-03-01', days: 30, times: ['12:00', '20:00'], durationSeconds: 60, budgetFen: 100_000, packetCount: 500 };
    const url = `/api/admin/campaigns/${campaignId}/rain/schedule`;
    const res = await ctx.app.inject({ method: 'POST', url, headers: { cookie: admin.cookie }, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    const sessions = res.json().sessions as { startsAt: string; endsAt: string; state: string; eligibility: unknown }[];
    expect(sessions).toHaveLength(60);
    expect(sessions[0]).toMatchObject({
      startsAt: '2030-03-01T04:00:00.000Z',
      endsAt: '2030-03-01T04:01:00.000Z',
      state: 'scheduled',
      eligibility: { requireSubmission: false, maxGrabsPerContributor: 1 },
    });
    expect(sessions[59]!.startsAt).toBe('2030-03-30T12:00:00.000Z');
    const again = await ctx.app.inject({ method: 'POST', url, headers: { cookie: admin.cookie }, payload: body });
    expect(again.json().sessions).toHaveLength(0);

    const [c] = await contributors(1);
    expect((await ctx.app.inject({ method: 'POST', url, headers: { cookie: c!.cookie }, payload: body })).statusCode).toBe(403);
    const bad = await ctx.app.inject({ method: 'POST', url, headers: { cookie: admin.cookie }, payload: { ...body, budgetFen: 10 } });
    expect(bad.statusCode).toBe(400);

    const list = await ctx.app.inject({ method: 'GET', url: `/api/rain/sessions?campaignId=${campaignId}` });
    expect(list.statusCode).toBe(200);
    expect(list.json().sessions.filter((s: { startsAt: string }) => s.startsAt.startsWith('2030-03')).length).toBe(60);
  });
});

describe('grabbing', () => {
  it('200 concurrent grabs by 120 contributors for 100 packets: each wins once, the budget is granted exactly, the ledger matches after settling', async () => {
    const budgetFen = 10_000;
    const s = await openSession({ budgetFen, packetCount: 100 });
    const people = await contributors(120);
    const tokens = await Promise.all(people.map((p) => token(p, s.id)));
    // 120 first attempts and 80 repeats, all at once.
    const attempts = [...people.map((p, i) => [p, tokens[i]!] as const), ...people.slice(0, 80).map((p, i) => [p, tokens[i]!] as const)];
    const results = await Promise.all(attempts.map(([p, t]) => grab(p, s.id, t)));
    const wins = results.filter((r) => r.statusCode === 200).map((r) => r.json() as { amountFen: number; totalWonFen: number; held: boolean });
    const refusals = results.filter((r) => r.statusCode !== 200);
    expect(wins).toHaveLength(100);
    expect(wins.every((w) => !w.held && w.totalWonFen === w.amountFen)).toBe(true);
    expect(wins.reduce((a, w) => a + w.amountFen, 0)).toBe(budgetFen);
    const codes = refusals.map((r) => `${r.statusCode} ${r.json().error.code}`);
    expect(codes.filter((c) => c !== '409 rain.no_packets_left' && c !== '409 rain.already_grabbed')).toEqual([]);
    expect(codes).toContain('409 rain.no_packets_left');

    const late = await grab(people[119]!, s.id, tokens[119], 'en');
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toMatch(/Too late|already won/);

    // Not paid yet (no worker ran); settling needs the session over.
    expect(await rain().ledgerTotal(s.id)).toBe(0);
    expect((await rain().settle(s.id)).settled).toBe(false);
    clock.advance(61_000);
    const settled = await rain().settle(s.id);
    expect(settled).toMatchObject({ settled: true, paid: 100, held: 0, grantedFen: budgetFen, ledgerFen: budgetFen });
    // Settled, the packets record their winners, one to one with the wins.
    const { granted } = await checkSession(s.id, budgetFen);
    expect(granted).toBe(budgetFen);
    // Exactly once, however often the jobs run.
    const again = await rain().settle(s.id);
    expect(again.paid).toBe(0);
    for (const g of (await rain().listGrabs(s.id)).slice(0, 10)) expect(await rain().pay(g.id)).toBe('already');
    expect(await rain().ledgerTotal(s.id)).toBe(budgetFen);
    const listed = (await ctx.app.inject({ method: 'GET', url: `/api/rain/sessions/${s.id}` })).json().session;
    expect(listed).toMatchObject({ state: 'settled', grantedFen: budgetFen, grabbedCount: 100 });
    const facts = await ctx.runtime.services.ledger.reconcile();
    expect(facts.totalFen).toBe(0);

    await rain().flushLog();
    const log = await db().execute(sql`SELECT outcome, count(*)::int AS n FROM rain_grab_log WHERE session_id = ${s.id} GROUP BY outcome`);
    const counts = Object.fromEntries((((log as { rows?: unknown[] }).rows ?? log) as { outcome: string; n: number }[]).map((r) => [r.outcome, r.n]));
    expect(counts.won).toBe(100);
    expect((counts['rain.no_packets_left'] ?? 0) + (counts['rain.already_grabbed'] ?? 0)).toBe(101);
  });

  it('answers clearly when not open, without a token, for non-members, new accounts and missing submissions', async () => {
    const [c] = await contributors(1);
    const later = await openSession({ budgetFen: 100, packetCount: 10, startInSeconds: 600 });
    const early = await grab(c!, later.id, await token(c!, later.id), 'en');
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toMatchObject({ code: 'rain.not_open', message: 'This red-packet rain is not open right now.' });

    const s = await openSession({ budgetFen: 100, packetCount: 10 });
    expect((await grab(c!, s.id, undefined)).json().error.code).toBe('rain.bad_token');
    expect((await grab(c!, s.id, await token(c!, later.id))).json().error.code).toBe('rain.bad_token');

    const outsider = await staff(ctx, ['editor']);
    const o = { cookie: outsider.cookie, id: outsider.user.id, ip: '10.200.0.1' };
    expect((await ctx.app.inject({ method: 'GET', url: `/api/rain/sessions/${s.id}/token`, headers: { cookie: o.cookie } })).statusCode).toBe(403);

    const fresh = await signUp(ctx.app, { campaignId });
    const f = { cookie: fresh.cookie, id: fresh.user.id, ip: '10.200.0.2' };
    const tooNew = await grab(f, s.id, await token(f, s.id));
    expect(tooNew.statusCode).toBe(403);
    expect(tooNew.json().error.code).toBe('rain.account_too_new');

    const picky = await openSession({ budgetFen: 100, packetCount: 10, requireSubmission: true });
    const r = await grab(c!, picky.id, await token(c!, picky.id));
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('rain.submission_required');
    expect((await ctx.app.inject({ method: 'POST', url: `/api/rain/sessions/${s.id}/grab`, remoteAddress: '10.200.0.3' })).statusCode).toBe(401);
  });

  it('rate-limits one account', async () => {
    const [c] = await contributors(1);
    const s = await openSession({ budgetFen: 100, packetCount: 10 });
    const tok = await token(c!, s.id);
    const codes = [];
    for (let i = 0; i < 7; i++) codes.push((await grab(c!, s.id, tok)).statusCode);
    expect(codes.slice(0, 2)).toEqual([200, 409]);
    expect(codes).toContain(429);
  });

  it('holds wins by young accounts and by many accounts from one IP; settling skips them until an admin releases one', async () => {
    const s = await openSession({ budgetFen: 1000, packetCount: 10 });
    const [young] = await contributors(1, { ageHours: 2 });
    const crowd = await contributors(4, { ip: '10.250.0.9' });
    const y = (await grab(young!, s.id, await token(young!, s.id))).json();
    expect(y.held).toBe(true);
    const crowdWins = [];
    for (const c of crowd) crowdWins.push((await grab(c, s.id, await token(c, s.id))).json());
    expect(crowdWins.map((w) => w.held)).toEqual([false, false, false, true]);

    clock.advance(61_000);
    const settled = await rain().settle(s.id);
    expect(settled).toMatchObject({ settled: true, paid: 3, held: 2 });
    expect(settled.ledgerFen).toBeLessThan(settled.grantedFen);
    const heldGrab = (await rain().listGrabs(s.id)).find((g) => g.userId === young!.id)!;
    expect(heldGrab.holdReason).toBe('new_account');
    // The admin's list puts the two held wins first.
    const listed = await ctx.app.inject({ method: 'GET', url: `/api/admin/rain/sessions/${s.id}/grabs`, headers: { cookie: admin.cookie } });
    expect(
      listed
        .json()
        .grabs.slice(0, 2)
        .map((g: { held: boolean }) => g.held),
    ).toEqual([true, true]);
    expect(listed.json().grabs).toHaveLength(5);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/admin/rain/sessions/${s.id}/grabs`, headers: { cookie: young!.cookie } })).statusCode).toBe(403);
    const contributorTry = await ctx.app.inject({ method: 'POST', url: `/api/admin/rain/grabs/${heldGrab.id}/release`, headers: { cookie: young!.cookie } });
    expect(contributorTry.statusCode).toBe(403);
    const released = await ctx.app.inject({ method: 'POST', url: `/api/admin/rain/grabs/${heldGrab.id}/release`, headers: { cookie: admin.cookie } });
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json().grab.transferId).toBeTruthy();
    expect(await rain().ledgerTotal(s.id)).toBe(settled.ledgerFen + heldGrab.amountFen);
    const twice = await ctx.app.inject({ method: 'POST', url: `/api/admin/rain/grabs/${heldGrab.id}/release`, headers: { cookie: admin.cookie } });
    expect(twice.statusCode).toBe(200);
    expect(await rain().ledgerTotal(s.id)).toBe(settled.ledgerFen + heldGrab.amountFen);
  });
});

describe('devices and the cookie-less grab', () => {
  it('grabs with the token alone, as the rain page does, and refuses a token that is not the signed-in user’s', async () => {
    const s = await openSession({ budgetFen: 1000, packetCount: 10 });
    const [a, b] = await contributors(2);
    const tokA = await token(a!, s.id);
    // B's cookie with A's token: refused, whoever the token names.
    expect((await grab(b!, s.id, tokA)).json().error.code).toBe('rain.bad_token');
    // No cookie: no token is not signed in; a bad one (tampered, or another session's) is refused.
    expect((await pageGrab(a!, s.id, undefined, 'device-aaaaaaaa')).statusCode).toBe(401);
    expect((await pageGrab(a!, s.id, `${tokA}x`, 'device-aaaaaaaa')).json().error.code).toBe('rain.bad_token');
    const other = await openSession({ budgetFen: 10, packetCount: 1 });
    expect((await pageGrab(a!, s.id, await token(a!, other.id), 'device-aaaaaaaa')).json().error.code).toBe('rain.bad_token');
    const won = await pageGrab(a!, s.id, tokA, 'device-aaaaaaaa');
    expect(won.statusCode, won.body).toBe(200);
    expect(won.json()).toMatchObject({ won: true, held: false });
    expect(won.json().totalWonFen).toBe(won.json().amountFen);
    expect((await pageGrab(a!, s.id, tokA, 'device-aaaaaaaa')).json().error.code).toBe('rain.already_grabbed');
    // A malformed device id is a bad request, not a silent pass.
    expect((await pageGrab(b!, s.id, await token(b!, s.id), 'no spaces!')).statusCode).toBe(400);

    await rain().flushLog();
    const log = rowsOf<{ outcome: string; device_id: string | null; fingerprint: string | null }>(
      await db().execute(sql`SELECT outcome, device_id, fingerprint FROM rain_grab_log WHERE session_id = ${s.id} AND user_id = ${a!.id} ORDER BY id`),
    );
    expect(log.map((l) => l.outcome)).toEqual(['won', 'rain.already_grabbed']);
    expect(log[0]).toMatchObject({ device_id: 'device-aaaaaaaa', fingerprint: '0123456789abcdef' });
  });

  it('holds the win of a third account on one device, in a session and across the campaign’s sessions; the admin sees the device', async () => {
    const device = `dev-${randomBytes(6).toString('hex')}`;
    const people = await contributors(4);
    const s1 = await openSession({ budgetFen: 1000, packetCount: 10 });
    const inSession = [];
    for (const p of people.slice(0, 3)) inSession.push((await pageGrab(p, s1.id, await token(p, s1.id), device)).json());
    expect(inSession.map((w) => w.held)).toEqual([false, false, true]);
    const held = (await rain().listGrabs(s1.id)).find((g) => g.userId === people[2]!.id)!;
    expect(held.holdReason).toBe('device_cluster');
    const listed = await ctx.app.inject({ method: 'GET', url: `/api/admin/rain/sessions/${s1.id}/grabs`, headers: { cookie: admin.cookie } });
    expect(listed.json().grabs[0]).toMatchObject({ id: held.id, held: true, holdReason: 'device_cluster', deviceId: device });

    // Another session: the fourth account alone on that device is still its fourth.
    const s2 = await openSession({ budgetFen: 1000, packetCount: 10 });
    const fourth = await pageGrab(people[3]!, s2.id, await token(people[3]!, s2.id), device);
    expect(fourth.json()).toMatchObject({ won: true, held: true });
    expect((await rain().listGrabs(s2.id))[0]!.holdReason).toBe('device_cluster');
    // One of the device's first two accounts, alone in a third session: the device is a cluster now.
    const s3 = await openSession({ budgetFen: 1000, packetCount: 10 });
    expect((await pageGrab(people[0]!, s3.id, await token(people[0]!, s3.id), device)).json().held).toBe(true);
    // A different device is not.
    expect((await pageGrab(people[1]!, s3.id, await token(people[1]!, s3.id), `${device}-other`)).json().held).toBe(false);
  });

  it('writes the other wins of a batch when one of them cannot be written (a packet PostgreSQL already gave away)', async () => {
    const s = await openSession({ budgetFen: 1000, packetCount: 10 });
    const people = await contributors(6);
    const tokens = await Promise.all(people.map((p) => token(p, s.id)));
    if (rain().usesRedis) {
      // Redis still offers packet 0, which PostgreSQL records as someone else's win: the
      // disagreement a failover to a lagging replica could cause.
      await rain().ensureSplit(s.id);
      await rain().reconcile(s.id);
      await db().execute(
        sql`INSERT INTO rain_grabs (session_id, user_id, packet_idx, amount_fen, won_at, source, held, hold_reason)
            SELECT session_id, ${people[5]!.id}, idx, amount_fen, now(), 'postgres', true, 'test' FROM rain_packets WHERE session_id = ${s.id} AND idx = 0`,
      );
    }
    const results = await Promise.all(people.slice(0, 5).map((p, i) => pageGrab(p, s.id, tokens[i], `dev-batch-${i}-${randomBytes(4).toString('hex')}`)));
    // Redis answers all five; the one PostgreSQL refuses stays in Redis only (and in the error log).
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const grabs = (await rain().listGrabs(s.id)).filter((g) => g.userId !== people[5]!.id);
    expect(grabs).toHaveLength(rain().usesRedis ? 4 : 5);
    expect(grabs.every((g) => g.packetIdx !== 0 || !rain().usesRedis)).toBe(true);
    // Every attempt is logged all the same.
    await rain().flushLog();
    const [logged] = rowsOf<{ n: number }>(
      await db().execute(sql`SELECT count(*)::int AS n FROM rain_grab_log WHERE session_id = ${s.id} AND outcome = 'won'`),
    );
    expect(logged!.n).toBe(5);
    // Each recorded win has its payment job, enqueued in the same transaction.
    const boss = ctx.config.DATABASE_SCHEMA === 'public' ? 'pgboss' : `${ctx.config.DATABASE_SCHEMA}_pgboss`;
    const ids = grabs.map((g) => `'${g.id}'`).join(', ');
    const [jobs] = rowsOf<{ n: number }>(
      await db().execute(sql.raw(`SELECT count(*)::int AS n FROM ${boss}.job WHERE name = 'rain.pay' AND data->>'grabId' IN (${ids})`)),
    );
    expect(jobs!.n).toBe(grabs.length);
  });
});

describe.runIf(!!process.env.REDIS_URL)('crash recovery (Redis)', () => {
  it('loses no win and grants none twice when PostgreSQL misses wins or Redis loses its state', async () => {
    expect(rain().usesRedis).toBe(true);
    const engine = createRainRedis(ctx.runtime.redis!, `paike:${ctx.config.DATABASE_SCHEMA}`);
    const budgetFen = 5000;
    const s = await openSession({ budgetFen, packetCount: 50 });
    const people = await contributors(70);
    // 20 wins through HTTP, written to both sides (the worker's writer drains the stream).
    for (const p of people.slice(0, 20)) expect((await grab(p, s.id, await token(p, s.id))).statusCode).toBe(200);
    await rain().flushWins();
    // 10 wins through the bare Lua script whose stream entries are then lost, as if Redis had
    // dropped them before the writer read them. Three of them from one device: the script held
    // the third, and reconciliation records it held, with its device.
    const shared = `crash-${randomBytes(4).toString('hex')}`;
    for (const [i, p] of people.slice(20, 30).entries()) {
      clock.advance(1);
      const params = {
        userId: p.id,
        ip: p.ip,
        now: clock.now(),
        deviceId: i < 3 ? shared : null,
        userAgent: null,
        fingerprint: null,
        ratePerIp: 0,
        ratePerAccount: 0,
        rateWindowMs: 10_000,
        newAccount: false,
        maxWinsPerIp: ctx.config.RAIN_MAX_WINS_PER_IP,
        maxWinsPerDevice: ctx.config.RAIN_MAX_WINS_PER_DEVICE,
        deviceAccountsElsewhere: 0,
      };
      expect((await engine.grab(s.id, params)).kind).toBe('won');
    }
    await engine.forgetEvents(s.id);
    // And 5 of the HTTP wins lose their PostgreSQL rows (as if that transaction never committed).
    const lost = people.slice(0, 5).map((p) => p.id);
    const ids = sql.join(
      lost.map((id) => sql`${id}`),
      sql`, `,
    );
    await db().execute(
      sql`UPDATE rain_packets SET winner_user_id = NULL, won_at = NULL, grab_id = NULL WHERE session_id = ${s.id} AND winner_user_id IN (${ids})`,
    );
    await db().execute(sql`DELETE FROM rain_grabs WHERE session_id = ${s.id} AND user_id IN (${ids})`);
    expect((await rain().listGrabs(s.id)).length).toBe(15);

    expect((await rain().reconcile(s.id)).recorded).toBe(15);
    expect((await rain().reconcile(s.id)).recorded).toBe(0);
    const devs = rowsOf<{ user_id: string; hold_reason: string | null }>(
      await db().execute(sql`SELECT user_id, hold_reason FROM rain_grabs WHERE session_id = ${s.id} AND device_id = ${shared} ORDER BY won_at`),
    );
    expect(devs.map((d) => d.hold_reason)).toEqual([null, null, 'device_cluster']);
    const afterReconcile = await rain().listGrabs(s.id);
    expect(afterReconcile.map((g) => g.userId).sort()).toEqual(
      people
        .slice(0, 30)
        .map((p) => p.id)
        .sort(),
    );
    const redisWins = await engine.winners(s.id);
    for (const g of afterReconcile) expect(redisWins.find((w) => w.userId === g.userId)).toMatchObject({ idx: g.packetIdx, amountFen: g.amountFen });

    // Redis loses the session entirely: rebuilt from PostgreSQL, winners stay winners.
    await engine.forget(s.id);
    await rain().reconcile(s.id);
    expect(await engine.remaining(s.id)).toBe(20);
    const again = await grab(people[0]!, s.id, await token(people[0]!, s.id));
    expect(again.json().error.code).toBe('rain.already_grabbed');
    const rest = await Promise.all(people.slice(30).map(async (p) => grab(p, s.id, await token(p, s.id))));
    expect(rest.filter((r) => r.statusCode === 200)).toHaveLength(20);

    // Rebuilt with its device counts: a third account on the shared device is a cluster still.
    const late = await pageGrab(people[20]!, s.id, await token(people[20]!, s.id), shared);
    expect(late.json().error.code).toBe('rain.already_grabbed');

    clock.advance(61_000);
    const settled = await rain().settle(s.id);
    const heldGrab = (await rain().listGrabs(s.id)).find((g) => g.held)!;
    expect(settled).toMatchObject({ settled: true, paid: 49, held: 1, grantedFen: budgetFen, ledgerFen: budgetFen - heldGrab.amountFen });
    const released = await ctx.app.inject({ method: 'POST', url: `/api/admin/rain/grabs/${heldGrab.id}/release`, headers: { cookie: admin.cookie } });
    expect(released.statusCode, released.body).toBe(200);
    expect(await rain().ledgerTotal(s.id)).toBe(budgetFen);
    const { grabs, granted } = await checkSession(s.id, budgetFen);
    expect(grabs).toHaveLength(50);
    expect(granted).toBe(budgetFen);
  });
});

describe('lazy split and the scheduled tick', () => {
  it('splits sessions about to start and queues the settlement of ended ones', async () => {
    const s = await openSession({ budgetFen: 777, packetCount: 7, startInSeconds: 120 });
    const before = await db().execute(sql`SELECT count(*)::int AS n FROM rain_packets WHERE session_id = ${s.id}`);
    expect((((before as { rows?: unknown[] }).rows ?? before) as { n: number }[])[0]!.n).toBe(0);
    const t = await rain().tick();
    expect(t.prepared).toBeGreaterThanOrEqual(1);
    const after = await db().execute(sql`SELECT count(*)::int AS n, sum(amount_fen)::int AS total FROM rain_packets WHERE session_id = ${s.id}`);
    expect((((after as { rows?: unknown[] }).rows ?? after) as { n: number; total: number }[])[0]).toEqual({ n: 7, total: 777 });
    await rain().ensureSplit(s.id);
    expect((await checkSession(s.id, 777)).packets).toBe(7);
    clock.advance(200_000);
    expect((await rain().tick()).settling).toBeGreaterThanOrEqual(1);
    expect(await ctx.runtime.services.jobs.count('rain.settle')).toBeGreaterThanOrEqual(1);
  });
});

describe('the grab over HTTP: the rain page’s fast path', () => {
  let base = '';
  beforeAll(async () => {
    base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });

  const httpGrab = (sessionId: string, headers: Record<string, string>) =>
    fetch(`${base}/api/rain/sessions/${sessionId}/grab`, { method: 'POST', headers: { 'accept-language': 'en', ...headers } });

  it('wins with the token alone and refuses as the route does, in the request’s language; anything unusual goes to the route', async () => {
    const [a, b] = await contributors(2);
    const s = await openSession({ budgetFen: 10, packetCount: 1 });
    const [tokA, tokB] = [await token(a!, s.id), await token(b!, s.id)];
    const page = { 'x-rain-device': 'device-fastpath-a', 'x-rain-fingerprint': '0123456789abcdef', 'sec-fetch-site': 'same-origin' };

    const won = await httpGrab(s.id, { ...page, 'x-rain-token': tokA });
    expect(won.status).toBe(200);
    expect(won.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await won.json()).toEqual({ won: true, amountFen: 10, totalWonFen: 10, held: false });

    // The same refusal, word for word, as the Fastify route gives.
    const again = await httpGrab(s.id, { ...page, 'x-rain-token': tokA });
    expect(again.status).toBe(409);
    const viaRoute = await grab(a!, s.id, tokA, 'en');
    expect(await again.json()).toEqual(viaRoute.json());
    expect(viaRoute.json().error).toMatchObject({ code: 'rain.already_grabbed', details: { amountFen: 10 } });
    const late = await httpGrab(s.id, { 'x-rain-token': tokB });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { message: string } }).error.message).toMatch(/Too late/);
    const zh = await httpGrab(s.id, { 'x-rain-token': `${tokB}x`, 'accept-language': 'zh-CN' });
    expect(zh.status).toBe(403);
    expect(((await zh.json()) as { error: unknown }).error).toMatchObject({ code: 'rain.bad_token' });

    // Left to the route, which answers with its own checks.
    const crossSite = await httpGrab(s.id, { ...page, 'x-rain-token': tokB, 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { error: { code: string } }).error.code).toBe('request.cross_site');
    const badDevice = await httpGrab(s.id, { ...page, 'x-rain-token': tokB, 'x-rain-device': 'no spaces!' });
    expect(badDevice.status).toBe(400);
    expect(((await badDevice.json()) as { error: { code: string } }).error.code).toBe('request.invalid');
    const notUuid = await httpGrab('not-a-session', { 'x-rain-token': tokB });
    expect(notUuid.status).toBe(400);

    const grabs = await rain().listGrabs(s.id);
    expect(grabs).toHaveLength(1);
    expect(grabs[0]).toMatchObject({ userId: a!.id, ip: '127.0.0.1', deviceId: 'device-fastpath-a' });
  });

  it('takes only the ordinary request: no cookie, not cross-site, no body, well-formed ids', async () => {
    const fast = createGrabFastPath({ rain: rain(), logger: ctx.runtime.services.logger, trustProxy: false });
    const id = '00000000-0000-4000-8000-000000000000';
    const req = (over: { method?: string; url?: string; headers?: Record<string, string> } = {}) =>
      ({
        method: over.method ?? 'POST',
        url: over.url ?? `/api/rain/sessions/${id}/grab`,
        headers: { 'x-rain-token': 't', ...over.headers },
        socket: { remoteAddress: '127.0.0.1' },
      }) as unknown as IncomingMessage;
    const untouched = { writeHead: () => expect.fail('answered'), end: () => expect.fail('answered') } as unknown as ServerResponse;
    for (const declined of [
      req({ method: 'GET' }),
      req({ url: `/api/rain/sessions/${id}/grab?x=1` }),
      req({ url: '/api/rain/sessions/not-a-uuid/grab' }),
      req({ headers: { cookie: 'paike_session=x' } }),
      req({ headers: { 'sec-fetch-site': 'cross-site' } }),
      req({ headers: { origin: 'https://elsewhere.example' } }),
      req({ headers: { 'content-length': '2' } }),
      req({ headers: { 'transfer-encoding': 'chunked' } }),
      req({ headers: { 'x-rain-device': 'short' } }),
      req({ headers: { 'x-rain-fingerprint': 'XYZ' } }),
      req({ headers: { 'x-rain-token': 't'.repeat(201) } }),
    ])
      expect(fast.handle(declined, untouched)).toBe(false);
    // An ordinary grab is answered (here: no such session, in Chinese by default).
    const answered = new Promise<{ status: number; body: string }>((resolve) => {
      let status = 0;
      const res = { writeHead: (s: number) => (status = s), end: (body: string) => resolve({ status, body }) } as unknown as ServerResponse;
      expect(fast.handle(req({ headers: { 'sec-fetch-site': 'same-origin' } }), res)).toBe(true);
    });
    const { status, body } = await answered;
    expect(status).toBe(403);
    expect(JSON.parse(body).error.code).toBe('rain.bad_token');
    fast.close();
    expect(fast.handle(req(), untouched)).toBe(false);
  });

  it('meets a flood of bad tokens from one address with the bad-token limit on the route too', async () => {
    const [c] = await contributors(1, { ip: '10.251.0.1' });
    const s = await openSession({ budgetFen: 100, packetCount: 10 });
    const codes: number[] = [];
    for (let i = 0; i <= ctx.config.RAIN_BAD_TOKENS_PER_IP; i++) codes.push((await pageGrab(c!, s.id, 'forged', 'device-flooding')).statusCode);
    expect(codes.slice(0, -1).every((c) => c === 403)).toBe(true);
    expect(codes.at(-1)).toBe(429);
  });

  /** The 429 the rain page gets: the documented body, in the request's language, and a Retry-After within the 10 s window. */
  async function expectRateLimited(res: Response) {
    expect(res.status).toBe(429);
    const wait = Number(res.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(10);
    expect(await res.json()).toEqual({ error: { code: 'request.rate_limited', message: `Too many attempts. Try again in ${wait} seconds.` } });
  }

  it('refuses a burst of grabs by one account with 429 on the fast path and on the route alike; another contributor still wins', async () => {
    const [a, b] = await contributors(2);
    const s = await openSession({ budgetFen: 100, packetCount: 10 });
    const [tokA, tokB] = [await token(a!, s.id), await token(b!, s.id)];
    const page = { 'x-rain-device': 'device-burst-a', 'x-rain-fingerprint': '0123456789abcdef', 'sec-fetch-site': 'same-origin' };
    // Eight taps in a tenth of a second, as a script (or a stuck finger) sends them.
    const burst = await Promise.all(Array.from({ length: 8 }, () => httpGrab(s.id, { ...page, 'x-rain-token': tokA })));
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 429, 429, 429]);
    for (const r of burst.filter((r) => r.status === 429)) await expectRateLimited(r);
    // The Fastify route (a grab with the cookie) counts in the same window.
    const viaRoute = await grab({ ...a!, ip: '127.0.0.1' }, s.id, tokA, 'en');
    expect(viaRoute.statusCode).toBe(429);
    expect(Number(viaRoute.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(viaRoute.json().error.code).toBe('request.rate_limited');
    // A contributor grabbing as the page does, from the same address, is not held up.
    const other = await httpGrab(s.id, { ...page, 'x-rain-device': 'device-burst-b', 'x-rain-token': tokB });
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ won: true, held: false });
    const grabs = await rain().listGrabs(s.id);
    expect(grabs.map((g) => g.userId).sort()).toEqual([a!.id, b!.id].sort());
  });

  it('refuses forged tokens from one address past the bad-token limit, then everything past the per-IP limit, over HTTP', async () => {
    const [a, b] = await contributors(2);
    const s = await openSession({ budgetFen: 100, packetCount: 10 });
    const [tokA, tokB] = [await token(a!, s.id), await token(b!, s.id)];
    const forged = `${tokA.slice(0, -4)}AAAA`;
    const codes: number[] = [];
    const limit = ctx.config.RAIN_BAD_TOKENS_PER_IP;
    for (let i = 0; i < limit + 2; i++) {
      const r = await httpGrab(s.id, { 'x-rain-token': forged, 'sec-fetch-site': 'same-origin' });
      codes.push(r.status);
      if (r.status === 429) await expectRateLimited(r);
      else await r.body?.cancel();
    }
    expect(codes).toEqual([...Array<number>(limit).fill(403), 429, 429]);
    // A contributor behind the same address (a shared Wi-Fi) still wins with a real token.
    const won = await httpGrab(s.id, { 'x-rain-token': tokA, 'sec-fetch-site': 'same-origin' });
    expect(won.status).toBe(200);
    // Every attempt counts against the address: past RAIN_GRAB_RATE_PER_IP, real tokens wait too.
    const left = ctx.config.RAIN_GRAB_RATE_PER_IP - (limit + 3);
    await Promise.all(Array.from({ length: left }, () => httpGrab(s.id, { 'x-rain-token': forged }).then((r) => r.body?.cancel())));
    await expectRateLimited(await httpGrab(s.id, { 'x-rain-token': tokB, 'sec-fetch-site': 'same-origin' }));
    expect((await rain().listGrabs(s.id)).map((g) => g.userId)).toEqual([a!.id]);
  });
});

describe.runIf(!!process.env.REDIS_URL)('the worker’s writer (Redis)', () => {
  it('writes wins and attempts to PostgreSQL by itself, and takes over what a dead worker took and never acknowledged', async () => {
    const s = await openSession({ budgetFen: 1000, packetCount: 10 });
    const people = await contributors(5);
    for (const p of people.slice(0, 3)) expect((await pageGrab(p, s.id, await token(p, s.id), `device-writer-${p.id.slice(0, 8)}`)).statusCode).toBe(200);
    // A worker takes the three events and dies before writing them.
    const prefix = `paike:${ctx.config.DATABASE_SCHEMA}`;
    const dead = createRainRedis(ctx.runtime.redis!, prefix);
    expect(await dead.readEvents(s.id, 100)).toHaveLength(3);
    // Another worker takes them over once they have been idle long enough (30 s in production).
    const live = createRainRedis(ctx.runtime.redis!, prefix, { claimIdleMs: 20 });
    expect(await live.readEvents(s.id, 100)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 50));
    const claimed = await live.readEvents(s.id, 100);
    expect(claimed.map((e) => ('invalid' in e ? null : e.userId)).sort()).toEqual(
      people
        .slice(0, 3)
        .map((p) => p.id)
        .sort(),
    );
    await live.ackEvents(
      s.id,
      claimed.map((e) => e.id),
    );
    expect(await live.pendingEvents(s.id)).toBe(0);
    // Acknowledged without writing (as a broken worker might): reconciliation records the wins from Redis.
    expect((await rain().reconcile(s.id)).recorded).toBe(3);

    // The running writer drains new grabs with no one asking.
    const writer = rain().startDrainer();
    try {
      for (const p of people.slice(3)) expect((await pageGrab(p, s.id, await token(p, s.id), `device-writer-${p.id.slice(0, 8)}`)).statusCode).toBe(200);
      const count = async () => rowsOf<{ n: number }>(await db().execute(sql`SELECT count(*)::int AS n FROM rain_grabs WHERE session_id = ${s.id}`))[0]!.n;
      const until = Date.now() + 10_000;
      while ((await count()) < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(await count()).toBe(5);
    } finally {
      await writer.stop();
    }
    const logged = rowsOf<{ n: number }>(
      await db().execute(sql`SELECT count(*)::int AS n FROM rain_grab_log WHERE session_id = ${s.id} AND event_id IS NOT NULL`),
    )[0]!.n;
    expect(logged).toBe(2);
  });

  it('writes the rest of a batch that PostgreSQL refuses for one event (a winner with no account), and leaves that one in Redis', async () => {
    const s = await openSession({ budgetFen: 1000, packetCount: 10 });
    const people = await contributors(3);
    const engine = createRainRedis(ctx.runtime.redis!, `paike:${ctx.config.DATABASE_SCHEMA}`);
    await rain().ensureSplit(s.id);
    await rain().reconcile(s.id);
    const ghost = '00000000-0000-4000-8000-00000000dead';
    const params = (userId: string) => ({
      userId,
      ip: '10.252.0.1',
      now: clock.now(),
      deviceId: null,
      userAgent: null,
      fingerprint: null,
      ratePerIp: 0,
      ratePerAccount: 0,
      rateWindowMs: 10_000,
      newAccount: false,
      maxWinsPerIp: 1000,
      maxWinsPerDevice: 2,
      deviceAccountsElsewhere: 0,
    });
    for (const id of [people[0]!.id, ghost, people[1]!.id, people[2]!.id]) expect((await engine.grab(s.id, params(id))).kind).toBe('won');
    // One batch of four: the ghost's row breaks its foreign key, so it is written event by event.
    const grabs = await rain().listGrabs(s.id);
    expect(grabs.map((g) => g.userId).sort()).toEqual(people.map((p) => p.id).sort());
    expect(await engine.pendingEvents(s.id)).toBe(0);
    expect((await engine.winners(s.id)).some((w) => w.userId === ghost)).toBe(true);
    const logged = rowsOf<{ n: number }>(await db().execute(sql`SELECT count(*)::int AS n FROM rain_grab_log WHERE session_id = ${s.id}`))[0]!.n;
    expect(logged).toBe(3);
  });
});

describe.runIf(!process.env.REDIS_URL)('overload without Redis', () => {
  it('answers grabs past RAIN_MAX_WAITING_GRABS with 503 “tap again” at once, and records every win it answered', async () => {
    const s = await openSession({ budgetFen: 1000, packetCount: 10 });
    const people = await contributors(8);
    const tokens = await Promise.all(people.map((p) => token(p, s.id)));
    // The same service with room for two waiting grabs (the default is RAIN_MAX_WAITING_GRABS, 200).
    const services = ctx.runtime.services;
    const narrow = createRainService({
      db: db(),
      repo: createRainRepository(db()),
      ledger: services.ledger,
      jobs: services.jobs,
      audit: services.audit,
      clock,
      logger: services.logger,
      tokens: createRainTokens(rainTokenSecret(ctx.config)),
      limits: { minAccountAgeMinutes: 10, holdAccountAgeHours: 24, maxWinsPerIp: 100, prepareAheadMinutes: 5, maxWaitingGrabs: 2 },
    });
    const meta = (i: number) => ({ ip: people[i]!.ip, userAgent: 'test', token: tokens[i], deviceId: null, fingerprint: null });
    const settled = await Promise.allSettled(people.map((_, i) => narrow.grab(null, s.id, meta(i))));
    const busy = settled.filter((r) => r.status === 'rejected' && r.reason instanceof AppError && r.reason.code === 'rain.busy');
    const won = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(busy.length).toBeGreaterThan(0);
    expect(won.length + busy.length).toBe(people.length);
    expect((await rain().listGrabs(s.id)).map((g) => g.amountFen).sort()).toEqual(won.map((w) => w.amountFen).sort());
    // Through HTTP: 503 with Retry-After and the message in the request's language.
    const err = (busy[0] as PromiseRejectedResult).reason as AppError;
    expect(err.status).toBe(503);
    expect(translate(err.code, 'zh-CN', err.params)).toBe('抢红包的人太多了，请再点一次。');
    // Shedding load is not a failure: thousands of these in a burst do not fill the error log.
    expect(err.isFailure).toBe(false);
    expect(new AppError('server.unavailable').isFailure).toBe(true);
  });
});
