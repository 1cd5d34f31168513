import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandWallSnapshot } from '../../../contracts/command.js';
import { assignments, commandCallParticipants, commandCalls, fieldPositions, locationShares, studioMembers, studios, submissions } from '../../db/schema.js';
import { sseReader } from '../../testing/sse.js';
import { createTestContext, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import { insertAssignment, insertOffer } from './testing/fixtures.js';

// The real clock: the fixtures stamp deadlines and offers with it. "Today" is Asia/Shanghai.
let ctx: TestContext;
type Who = { cookie: string; user: { id: string } };
let chief: Who;
let finance: Who;
let editorA: Who;
let editorB: Who;
let contributor: Who;
const ids: Record<string, string> = {};
const HOUR = 3_600_000;
const at = (msFromNow: number) => new Date(Date.now() + msFromNow);

beforeAll(async () => {
  ctx = await createTestContext({ env: { COMMAND_WALL_INTERVAL_SECONDS: '1' } });
  const { services } = ctx.runtime;
  const { db } = services.database;
  const fx = propagationFixtures(services);
  [chief, finance, editorA, editorB] = [
    await staff(ctx, ['chief_editor']),
    await staff(ctx, ['finance']),
    await staff(ctx, ['editor']),
    await staff(ctx, ['editor']),
  ];
  contributor = await signUp(ctx.app);
  const campaignId = (await fx.campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2030-01-01T00:00:00+08:00' })).id;
  const [a, b] = await db
    .insert(studios)
    .values([{ name: '时政工作室' }, { name: '民生工作室' }])
    .returning();
  ids.studioA = a!.id;
  ids.studioB = b!.id;
  await db.insert(studioMembers).values([
    { studioId: ids.studioA, userId: editorA.user.id },
    { studioId: ids.studioB, userId: editorB.user.id },
  ]);
  const [p1, p2] = [await fx.user('林勇刚'), await fx.user('王芳')];
  ids.p1 = p1.id;
  ids.p2 = p2.id;

  const by = chief.user.id;
  const a1 = await insertAssignment(db, { createdBy: by, campaignId, studioId: ids.studioA, title: '滦平连线', deadlineAt: at(2 * HOUR) });
  const a2 = await insertAssignment(db, {
    createdBy: by,
    campaignId,
    studioId: ids.studioB,
    status: 'assigned',
    title: '菜市场早高峰',
    deadlineAt: at(-HOUR / 2),
  });
  const a3 = await insertAssignment(db, { createdBy: by, campaignId, studioId: null, title: '中央厨房直播', deadlineAt: at(5 * HOUR) });
  const done = await insertAssignment(db, { createdBy: by, campaignId, studioId: ids.studioA, status: 'completed', title: '已完成' });
  await db.update(assignments).set({ completedAt: new Date() }).where(eq(assignments.id, done.id));
  await insertAssignment(db, { createdBy: by, campaignId, studioId: ids.studioA, status: 'draft', title: '草稿' });
  Object.assign(ids, { a1: a1.id, a2: a2.id, a3: a3.id });
  await insertOffer(db, { assignmentId: a1.id, userId: p1.id });
  await insertOffer(db, { assignmentId: a2.id, userId: p2.id });

  // Both share their location; the wall shows the latest report's time and device state.
  await db.insert(locationShares).values([
    { assignmentId: a1.id, userId: p1.id, precision: 'coarse' },
    { assignmentId: a2.id, userId: p2.id, precision: 'precise' },
  ]);
  await db.insert(fieldPositions).values([
    { assignmentId: a1.id, userId: p1.id, lat: 40.94, lng: 117.33, battery: 0.9, network: 'wifi', recordedAt: at(-20 * 60_000) },
    { assignmentId: a1.id, userId: p1.id, lat: 40.95, lng: 117.34, battery: 0.42, charging: false, network: '4g', recordedAt: at(-60_000) },
    { assignmentId: a2.id, userId: p2.id, lat: 39.9, lng: 116.4, battery: 0.8, network: '5g', recordedAt: at(-5 * 60_000) },
  ]);

  // A desk call in progress in studio A; a broadcast ringing in studio B.
  const [c1] = await db
    .insert(commandCalls)
    .values({
      assignmentId: a1.id,
      startedBy: editorA.user.id,
      direction: 'desk_to_field',
      calleeId: p1.id,
      media: 'p2p',
      status: 'active',
      answeredAt: new Date(),
    })
    .returning();
  ids.c1 = c1!.id;
  await db.insert(commandCallParticipants).values([
    { callId: c1!.id, userId: editorA.user.id, role: 'director', joinedAt: new Date() },
    { callId: c1!.id, userId: p1.id, role: 'guest', joinedAt: new Date() },
  ]);
  await db
    .insert(commandCalls)
    .values({ assignmentId: a2.id, startedBy: p2.id, direction: 'field_to_desk', media: 'janus', status: 'ringing', broadcast: true, audiencePeak: 120 });

  // Footage against both; reach of the first from yesterday to today, the second only today.
  const v1 = await fx.video({ campaignId, userId: p1.id, adoptedAt: at(-2 * HOUR), title: '村里的一天', status: 'in_review' });
  const v2 = await fx.video({ campaignId, userId: p2.id, adoptedAt: at(-HOUR), title: '早市' });
  const old = await fx.video({ campaignId, userId: p1.id, adoptedAt: at(-48 * HOUR), title: '前天的片子' });
  await db.update(submissions).set({ assignmentId: a1.id }).where(eq(submissions.id, v1));
  await db.update(submissions).set({ assignmentId: a2.id }).where(eq(submissions.id, v2));
  await db
    .update(submissions)
    .set({ assignmentId: a1.id, createdAt: at(-48 * HOUR) })
    .where(eq(submissions.id, old));
  Object.assign(ids, { v1, v2, old });
  const record = (pub: string, when: Date, views: number) => services.metrics.recordSample(pub, { views, likes: null, comments: null, shares: null }, when);
  const w1 = await fx.publication(v1, 'weibo');
  const w2 = await fx.publication(v2, 'wechat');
  await record(w1, at(-30 * HOUR), 1000);
  await record(w1, at(-60_000), 1600);
  await record(w2, at(-60_000), 500);
  ids.w1 = w1;
}, 60_000);
afterAll(async () => {
  await ctx?.close();
});

const get = (who?: Who) => ctx.app.inject({ method: 'GET', url: '/api/command/wall', headers: who ? { cookie: who.cookie } : {} });
const wallOf = async (who: Who): Promise<CommandWallSnapshot> => {
  const res = await get(who);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().wall;
};
// Reach gained "today" depends on when Shanghai's day began: a sample 30 h ago is always before it,
// one a minute ago after it, except in the first minute of the day (not worth a fixed clock here).

describe('GET /api/command/wall', () => {
  it('shows a chief editor every studio: assignments by state, people, calls, footage and their reach', async () => {
    const w = await wallOf(chief);
    expect(w.scope).toEqual({ all: true, studios: [] });
    expect(w.intervalSeconds).toBe(1);
    expect(w.assignments.counts).toEqual({ draft: 1, assigned: 1, in_progress: 2, submitted: 0, completed: 1, cancelled: 0 });
    expect(w.assignments.overdue).toBe(1);
    expect(w.assignments.urgent.map((a) => [a.title, a.overdue, a.studio, a.people])).toEqual([
      ['菜市场早高峰', true, '民生工作室', 1],
      ['滦平连线', false, '时政工作室', 1],
      ['中央厨房直播', false, null, 0],
    ]);
    expect(w.field.count).toBe(2);
    expect(w.field.people[0]).toMatchObject({ name: '林勇刚', assignmentTitle: '滦平连线', battery: 0.42, charging: false, network: '4g' });
    expect(w.field.people[0]).not.toHaveProperty('lat');
    expect(w.calls.count).toBe(2);
    const broadcast = w.calls.items.find((c) => c.broadcast)!;
    expect(broadcast).toMatchObject({ status: 'ringing', media: 'janus', fieldName: '王芳', audience: 120, assignmentTitle: '菜市场早高峰' });
    expect(w.calls.items.find((c) => c.id === ids.c1)).toMatchObject({ status: 'active', media: 'p2p', fieldName: '林勇刚', deskName: 'Staff', guests: 1 });
    // The footage of two days ago is not arriving any more.
    expect(w.footage.count).toBe(2);
    expect(w.footage.items.map((f) => f.submissionId).sort()).toEqual([ids.v1, ids.v2].sort());
    expect(w.footage.items.find((f) => f.submissionId === ids.v1)).toMatchObject({ status: 'in_review', contributor: '林勇刚', assignmentTitle: '滦平连线' });
    expect(w.propagation).toMatchObject({ total: 2100, today: 1100 });
    expect(w.propagation.items.map((i) => [i.title, i.reach, i.today])).toEqual([
      ['村里的一天', 1600, 600],
      ['早市', 500, 500],
    ]);
  });

  it("cuts the wall to a studio editor's studios and the central desk", async () => {
    const a = await wallOf(editorA);
    expect(a.scope).toEqual({ all: false, studios: ['时政工作室'] });
    expect(a.assignments.counts).toEqual({ draft: 1, assigned: 0, in_progress: 2, submitted: 0, completed: 1, cancelled: 0 });
    expect(a.assignments.overdue).toBe(0);
    expect(a.field.count).toBe(1);
    expect(a.calls.count).toBe(1);
    expect(a.footage.count).toBe(1);
    expect(a.propagation).toMatchObject({ total: 1600, today: 600 });
    // Nothing of studio B's anywhere on it.
    expect(JSON.stringify(a)).not.toMatch(/菜市场|王芳|早市|民生/);

    const b = await wallOf(editorB);
    expect(b.assignments.urgent.map((x) => x.title)).toEqual(['菜市场早高峰', '中央厨房直播']);
    expect(JSON.stringify(b)).not.toMatch(/滦平连线|林勇刚|村里/);
  });

  it('is for staff with command.wall: finance sees all (the wall PC), a contributor no, nobody signed in no', async () => {
    expect((await wallOf(finance)).calls.count).toBe(2);
    const refused = await get(contributor);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('auth.forbidden');
    expect((await get()).statusCode).toBe(401);
    const stream = await ctx.app.inject({ method: 'GET', url: '/api/command/wall/stream', headers: { cookie: contributor.cookie } });
    expect(stream.statusCode).toBe(403);
  });
});

describe('GET /api/command/wall/stream', () => {
  it("sends a snapshot at once, heartbeats while the editor's view stays the same, and a new snapshot when it changes", async () => {
    const { db } = ctx.runtime.services.database;
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${base}/api/command/wall/stream`, { headers: { cookie: editorA.cookie }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const next = sseReader(res);
    try {
      const first = await next();
      expect(first.event).toBe('snapshot');
      expect((first.data as CommandWallSnapshot).calls.count).toBe(1);

      // Studio B's call ends: not on this editor's wall, so only a heartbeat.
      await db.update(commandCalls).set({ status: 'ended', endedAt: new Date() }).where(eq(commandCalls.assignmentId, ids.a2!));
      // Two ticks: the second surely read the change.
      expect([(await next()).event, (await next()).event]).toEqual(['heartbeat', 'heartbeat']);

      // Their own call ends: a new snapshot.
      await db.update(commandCalls).set({ status: 'ended', endedAt: new Date() }).where(eq(commandCalls.id, ids.c1!));
      let e = await next();
      while (e.event === 'heartbeat') e = await next();
      expect(e.event).toBe('snapshot');
      expect((e.data as CommandWallSnapshot).calls).toEqual({ count: 0, items: [] });
    } finally {
      controller.abort();
    }
  });
});
