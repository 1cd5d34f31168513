import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { createRainRedis } from './rain.redis.js';

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

/** Every invariant of a finished session, read from the tables. */
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

    const { granted } = await checkSession(s.id, budgetFen);
    expect(granted).toBe(budgetFen);

    // Not paid yet (no worker ran); settling needs the session over.
    expect(await rain().ledgerTotal(s.id)).toBe(0);
    expect((await rain().settle(s.id)).settled).toBe(false);
    clock.advance(61_000);
    const settled = await rain().settle(s.id);
    expect(settled).toMatchObject({ settled: true, paid: 100, held: 0, grantedFen: budgetFen, ledgerFen: budgetFen });
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

describe.runIf(!!process.env.REDIS_URL)('crash recovery (Redis)', () => {
  it('loses no win and grants none twice when PostgreSQL misses wins or Redis loses its state', async () => {
    expect(rain().usesRedis).toBe(true);
    const engine = createRainRedis(ctx.runtime.redis!, `paike:${ctx.config.DATABASE_SCHEMA}`);
    const budgetFen = 5000;
    const s = await openSession({ budgetFen, packetCount: 50 });
    const people = await contributors(70);
    // 20 wins through HTTP, written to both sides.
    for (const p of people.slice(0, 20)) expect((await grab(p, s.id, await token(p, s.id))).statusCode).toBe(200);
    // 10 wins through the bare Lua script: the process "died" before writing PostgreSQL.
    for (const p of people.slice(20, 30)) expect((await engine.grab(s.id, p.id, p.ip, clock.now())).kind).toBe('won');
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

    clock.advance(61_000);
    const settled = await rain().settle(s.id);
    expect(settled).toMatchObject({ settled: true, grantedFen: budgetFen, ledgerFen: budgetFen });
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
