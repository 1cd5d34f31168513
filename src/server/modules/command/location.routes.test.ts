import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coarsen } from '../../../contracts/command.limits.js';
import { assignmentOffers, assignments, fieldPositions, locationShares, studioMembers, studios, submissions } from '../../db/schema.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import { commandLocationSweepJob } from './jobs/location-sweep.job.js';
import { insertAssignment, insertOffer } from './testing/fixtures.js';

const clock = fixedClock(new Date());
type Who = { cookie: string; user: { id: string } };
let ctx: TestContext;
let campaignId: string;
let studioA: string;
let chief: Who;
let editorA: Who;
let editorB: Who;
let field: Who;
let other: Who;

const db = () => ctx.runtime.services.database.db;
const req = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', who: Who, url: string, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method, url, headers: { cookie: who.cookie, 'accept-language': lang }, ...(payload === undefined ? {} : { payload: payload as object }) });
const at = (offsetMs = 0) => new Date(clock.now().getTime() + offsetMs).toISOString();
// A point in Luanping county with more digits than a 100 m grid keeps.
const HERE = { lat: 40.941234, lng: 117.331987 };

/** An assignment of studio A that `field` is working (accepted offer). */
async function working(status: 'assigned' | 'in_progress' = 'in_progress') {
  const a = await insertAssignment(db(), { createdBy: chief.user.id, campaignId, studioId: studioA, status });
  await insertOffer(db(), { assignmentId: a.id, userId: field.user.id });
  return a;
}
const positionsOf = (assignmentId: string) => db().select().from(fieldPositions).where(eq(fieldPositions.assignmentId, assignmentId));
const shareOf = async (assignmentId: string) =>
  (
    await db()
      .select()
      .from(locationShares)
      .where(and(eq(locationShares.assignmentId, assignmentId), eq(locationShares.userId, field.user.id)))
  )[0];
const setStatus = (id: string, status: 'completed' | 'cancelled' | 'submitted') => db().update(assignments).set({ status }).where(eq(assignments.id, id));

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const { services } = ctx.runtime;
  campaignId = (await propagationFixtures(services).campaign({ startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2028-01-01T00:00:00+08:00' })).id;
  chief = await staff(ctx, ['chief_editor']);
  editorA = await staff(ctx, ['editor']);
  editorB = await staff(ctx, ['editor']);
  field = await signUp(ctx.app, { name: '王书记' });
  other = await signUp(ctx.app, { name: '路人' });
  const made = await db()
    .insert(studios)
    .values([{ name: '时政工作室' }, { name: '民生工作室' }])
    .returning();
  studioA = made[0]!.id;
  await db()
    .insert(studioMembers)
    .values([
      { studioId: studioA, userId: editorA.user.id },
      { studioId: made[1]!.id, userId: editorB.user.id },
    ]);
}, 60_000);
afterAll(() => ctx?.close());

describe('consent and position reports', () => {
  it('refuses a position without consent, in both languages', async () => {
    const a = await working();
    const zh = await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() });
    expect(zh.statusCode).toBe(409);
    expect(zh.json().error).toMatchObject({ code: 'command.location.no_consent', message: expect.stringContaining('位置共享') });
    const en = await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() }, 'en');
    expect(en.json().error.message).toContain('location sharing');
    expect(await positionsOf(a.id)).toHaveLength(0);
  });

  it('stores a coarse share rounded to the 100 m grid, never the point the phone measured', async () => {
    const a = await working();
    const put = await req('PUT', field, `/api/command/assignments/${a.id}/location-share`, {});
    expect(put.statusCode).toBe(200);
    expect(put.json().share).toMatchObject({ precision: 'coarse', stoppedAt: null });
    const res = await req('POST', field, `/api/command/assignments/${a.id}/location`, {
      ...HERE,
      accuracyM: 8,
      battery: 0.62,
      charging: false,
      network: '4g',
      recordedAt: at(-5_000),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stored: 1, refused: [], precision: 'coarse' });
    const [row] = await positionsOf(a.id);
    const grid = coarsen(HERE);
    expect({ lat: row!.lat, lng: row!.lng }).toEqual(grid);
    expect(row!.lat).not.toBe(HERE.lat);
    expect(row!.lng).not.toBe(HERE.lng);
    expect(row!.accuracyM).toBe(100);
    expect(row).toMatchObject({ battery: expect.closeTo(0.62, 5), charging: false, network: '4g' });

    // The person sees their own share and what was stored; the desk of the studio sees them on the map.
    const own = (await req('GET', field, `/api/command/assignments/${a.id}/location`)).json();
    expect(own).toMatchObject({ as: 'field', active: true, share: { precision: 'coarse' }, last: { lat: grid.lat, lng: grid.lng } });
    const desk = (await req('GET', editorA, `/api/command/assignments/${a.id}/location`)).json();
    expect(desk.as).toBe('desk');
    expect(desk.people).toEqual([
      expect.objectContaining({ userId: field.user.id, name: '王书记', lat: grid.lat, lng: grid.lng, battery: expect.closeTo(0.62, 5), network: '4g' }),
    ]);
    const map = await req('GET', editorA, '/api/command/map');
    expect(map.statusCode).toBe(200);
    expect(map.json().assignments.map((x: { id: string }) => x.id)).toContain(a.id);
    expect(map.json().people).toContainEqual(
      expect.objectContaining({ assignmentId: a.id, userId: field.user.id, lat: grid.lat, lng: grid.lng, precision: 'coarse' }),
    );
    expect(map.json().tileUrl).toBeNull();
  });

  it('keeps the precise point when the person chooses it, and deletes it when they go back to coarse', async () => {
    const a = await working('assigned');
    expect((await req('PUT', field, `/api/command/assignments/${a.id}/location-share`, { precision: 'precise' })).json().share.precision).toBe('precise');
    expect((await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, accuracyM: 8, recordedAt: at() })).statusCode).toBe(200);
    const [row] = await positionsOf(a.id);
    expect(row).toMatchObject({ lat: HERE.lat, lng: HERE.lng, accuracyM: 8 });
    await req('PUT', field, `/api/command/assignments/${a.id}/location-share`, { precision: 'coarse' });
    expect(await positionsOf(a.id)).toHaveLength(0);
  });

  it('refuses reports stamped in the future or far in the past; a batch stores the rest', async () => {
    const a = await working();
    await req('PUT', field, `/api/command/assignments/${a.id}/location-share`, {});
    const future = await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at(10 * 60_000) });
    expect(future.statusCode).toBe(422);
    expect(future.json().error.code).toBe('command.location.recorded_in_future');
    const old = await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at(-7 * 3_600_000) }, 'en');
    expect(old.statusCode).toBe(422);
    expect(old.json().error).toMatchObject({ code: 'command.location.recorded_too_old', message: expect.stringContaining('too old') });
    const batch = await req('POST', field, `/api/command/assignments/${a.id}/location`, {
      reports: [
        { ...HERE, recordedAt: at(-7 * 3_600_000) },
        { ...HERE, recordedAt: at(-40_000) },
        { lat: 40.95, lng: 117.34, recordedAt: at(-10_000) },
      ],
    });
    expect(batch.statusCode).toBe(200);
    expect(batch.json()).toEqual({ stored: 2, refused: [{ index: 0, code: 'command.location.recorded_too_old' }], precision: 'coarse' });
    expect(await positionsOf(a.id)).toHaveLength(2);
    // At most one row per 5 s of the phone's time (the last stored is 10 s old), whatever a client sends.
    const burst = await req('POST', field, `/api/command/assignments/${a.id}/location`, {
      reports: [
        { ...HERE, recordedAt: at(-8_000) },
        { ...HERE, recordedAt: at(-2_000) },
        { ...HERE, recordedAt: at(-1_000) },
      ],
    });
    expect(burst.json()).toMatchObject({
      stored: 1,
      refused: [0, 2].map((index) => ({ index, code: 'command.location.too_frequent' })),
    });
    const later = await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at(-500) }, 'en');
    expect(later.statusCode).toBe(429);
    expect(later.json().error).toMatchObject({ code: 'command.location.too_frequent', message: expect.stringContaining('too often') });
    expect(await positionsOf(a.id)).toHaveLength(3);
  });

  it('lets only the person working it share: desk staff 403, another contributor and a merely offered one 404', async () => {
    const a = await working();
    const desk = await req('PUT', editorA, `/api/command/assignments/${a.id}/location-share`, {});
    expect(desk.statusCode).toBe(403);
    expect(desk.json().error.code).toBe('command.location.not_working');
    for (const method of ['PUT', 'DELETE'] as const) {
      expect((await req(method, other, `/api/command/assignments/${a.id}/location-share`, method === 'PUT' ? {} : undefined)).statusCode).toBe(404);
    }
    expect((await req('POST', other, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() })).statusCode).toBe(404);
    await insertOffer(db(), { assignmentId: a.id, userId: other.user.id, status: 'offered', rank: 2 });
    expect((await req('PUT', other, `/api/command/assignments/${a.id}/location-share`, {})).statusCode).toBe(404);
  });

  it('shows positions only to staff covering the studio and to the person: other studio 403, another contributor 404', async () => {
    const a = await working();
    await req('PUT', field, `/api/command/assignments/${a.id}/location-share`, {});
    await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() });
    const b = await req('GET', editorB, `/api/command/assignments/${a.id}/location`);
    expect(b.statusCode).toBe(403);
    expect(b.json().error.code).toBe('command.out_of_scope');
    expect((await req('GET', other, `/api/command/assignments/${a.id}/location`)).statusCode).toBe(404);
    const mapB = (await req('GET', editorB, '/api/command/map')).json();
    expect(mapB.assignments.map((x: { id: string }) => x.id)).not.toContain(a.id);
    expect(mapB.people.map((x: { assignmentId: string }) => x.assignmentId)).not.toContain(a.id);
    expect((await req('GET', field, '/api/command/map')).statusCode).toBe(403);
    expect((await req('GET', chief, `/api/command/assignments/${a.id}/location`)).json().people).toHaveLength(1);
  });

  it('stops on the person’s word and deletes what they sent', async () => {
    const a = await working();
    await req('PUT', field, `/api/command/assignments/${a.id}/location-share`, {});
    await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() });
    const stop = await req('DELETE', field, `/api/command/assignments/${a.id}/location-share`);
    expect(stop.statusCode).toBe(200);
    expect(stop.json().share).toMatchObject({ stopReason: 'person' });
    expect(await positionsOf(a.id)).toHaveLength(0);
    const after = await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() });
    expect(after.json().error.code).toBe('command.location.no_consent');
  });
});

describe('the end of the assignment', () => {
  it('refuses a report outside the assignment’s life and cleans up at once', async () => {
    const a = await working();
    await req('PUT', field, `/api/command/assignments/${a.id}/location-share`, {});
    await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() });
    await setStatus(a.id, 'submitted');
    const submitted = await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() });
    expect(submitted.statusCode).toBe(409);
    expect(submitted.json().error.code).toBe('command.location.assignment_not_active');
    expect(await shareOf(a.id)).toMatchObject({ stopReason: 'assignment_ended' });
    // Submitted is not the end of its life yet: positions stay until it is completed or cancelled.
    expect(await positionsOf(a.id)).toHaveLength(1);
    await setStatus(a.id, 'cancelled');
    const cancelled = await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() }, 'en');
    expect(cancelled.json().error).toMatchObject({ code: 'command.location.assignment_not_active', message: expect.stringContaining('cancelled') });
    expect(await positionsOf(a.id)).toHaveLength(0);
    expect((await req('PUT', field, `/api/command/assignments/${a.id}/location-share`, {})).statusCode).toBe(409);
  });

  it('the sweep job stops shares and deletes positions of ended assignments and of people no longer on them', async () => {
    const { services } = ctx.runtime;
    const ended = await working();
    const left = await working();
    const going = await working();
    for (const a of [ended, left, going]) {
      await req('PUT', field, `/api/command/assignments/${a.id}/location-share`, {});
      expect((await req('POST', field, `/api/command/assignments/${a.id}/location`, { ...HERE, recordedAt: at() })).statusCode).toBe(200);
    }
    await setStatus(ended.id, 'completed');
    await db()
      .update(assignmentOffers)
      .set({ status: 'withdrawn' })
      .where(and(eq(assignmentOffers.assignmentId, left.id), eq(assignmentOffers.userId, field.user.id)));
    // The desk no longer sees either, even before the sweep runs.
    const before = (await req('GET', chief, '/api/command/map')).json();
    expect(before.people.map((p: { assignmentId: string }) => p.assignmentId)).toEqual(expect.not.arrayContaining([ended.id, left.id]));
    expect(before.people.map((p: { assignmentId: string }) => p.assignmentId)).toContain(going.id);

    await commandLocationSweepJob.handle({}, services, { jobId: 'test', attempt: 1, isLastAttempt: true });
    expect(await shareOf(ended.id)).toMatchObject({ stopReason: 'assignment_ended', stoppedAt: expect.any(Date) });
    expect(await shareOf(left.id)).toMatchObject({ stopReason: 'offer_ended' });
    expect(await shareOf(going.id)).toMatchObject({ stopReason: null, stoppedAt: null });
    expect(await positionsOf(ended.id)).toHaveLength(0);
    expect(await positionsOf(left.id)).toHaveLength(0);
    expect(await positionsOf(going.id)).toHaveLength(1);
  });
});

describe('the heat layer', () => {
  it('counts recent submissions in scope per grid cell, without their exact points', async () => {
    const now = clock.now();
    const point = { lat: 30.657321, lng: 104.065912 };
    for (const offset of [0, 1]) {
      const s = await processedSubmission(ctx, { userId: other.user.id, campaignId, at: now });
      await db()
        .update(submissions)
        .set({ location: { lat: point.lat + offset * 0.001, lng: point.lng } })
        .where(eq(submissions.id, s.id));
    }
    const old = await processedSubmission(ctx, { userId: other.user.id, campaignId, at: now });
    await db()
      .update(submissions)
      .set({ location: point, createdAt: new Date(now.getTime() - 9 * 86_400_000) })
      .where(eq(submissions.id, old.id));
    const heat = (await req('GET', editorA, '/api/command/map?heatDays=7&heatCellKm=10')).json().heat;
    expect(heat).toMatchObject({ days: 7, cellKm: 10 });
    const cell = heat.cells.find((c: { lat: number; lng: number }) => Math.abs(c.lat - point.lat) < 0.1 && Math.abs(c.lng - point.lng) < 0.1);
    expect(cell.n).toBe(2);
    expect(cell.lat).not.toBe(point.lat);
    expect((await req('GET', editorA, '/api/command/map?heatDays=30')).json().heat.cells.find((c: { n: number }) => c.n === 3)).toBeTruthy();
    expect((await req('GET', editorA, '/api/command/map?heatCellKm=1')).statusCode).toBe(400);
  });
});
