import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSIGNMENT_STATUSES, type AssignmentStatus } from '../../../contracts/command.js';
import {
  assignmentOffers,
  assignments,
  auditLog,
  commandCallParticipants,
  commandCalls,
  notices,
  studioMembers,
  studios,
  submissions,
} from '../../db/schema.js';
import { jobRegistry } from '../../jobs/registry.js';
import { type AppError } from '../../lib/errors.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';
import { propagationFixtures } from '../propagation/charts.fixtures.js';
import { noticePath } from '../propagation/notices.service.js';
import { TRANSITIONS, type AssignmentAction } from './assignments.service.js';
import { insertAssignment, insertFieldProfile, insertOffer } from './testing/fixtures.js';

const clock = fixedClock('2027-03-10T10:00:00+08:00');
let ctx: TestContext;
type Who = { cookie: string; user: { id: string } };
let chief: Who;
let editorA: Who;
let editorB: Who;
let reporter: Who;
let studioA: string;
let studioB: string;
let campaignId: string;
let otherCampaignId: string;

const req = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, who?: Who, payload?: unknown) =>
  ctx.app.inject({ method, url, payload: payload as object, headers: { ...(who ? { cookie: who.cookie } : {}), 'accept-language': 'en' } });
const services = () => ctx.runtime.services;
const db = () => ctx.runtime.services.database.db;
const KM_LAT = 1 / 111.195; // one kilometre north, in degrees of latitude (the haversine sphere)

let nextBase = 20;
/** A fresh place far from every other test's, so field profiles of one test never meet another's dispatch. */
function freshPlace() {
  nextBase += 1.5;
  return { name: '测试村', lat: nextBase, lng: 110, radiusM: 6000 };
}

/** Contributors who joined the campaign and opted in `km` north of the place. */
async function fieldPeople(place: { lat: number; lng: number }, specs: { km: number; travelKm?: number; optedIn?: boolean }[]): Promise<Who[]> {
  const out: Who[] = [];
  for (const s of specs) {
    const u = await signUp(ctx.app, { name: `拍客${s.km}km`, campaignId });
    await insertFieldProfile(db(), {
      userId: u.user.id,
      lat: place.lat + s.km * KM_LAT,
      lng: place.lng,
      travelKm: s.travelKm ?? 30,
      optedIn: s.optedIn ?? true,
    });
    out.push(u);
  }
  return out;
}

const body = (over: Record<string, unknown> = {}) => ({
  title: '滦平县驻村第一书记',
  brief: '拍第一书记带领村民发展产业的一天。',
  campaignId,
  theme: 'food',
  studioId: studioA,
  place: freshPlace(),
  deadlineAt: '2027-03-11T18:00:00+08:00',
  acceptMinutes: 30,
  rewardHintFen: 20000,
  wanted: 1,
  dispatch: { mode: 'nearest', n: 3 },
  ...over,
});

async function create(over: Record<string, unknown> = {}, who: Who = editorA) {
  const res = await req('POST', '/api/command/assignments', who, body(over));
  expect(res.statusCode, res.body).toBe(201);
  return res.json().assignment as {
    id: string;
    status: string;
    version: number;
    offers: { userId: string; status: string; rank: number; distanceM: number | null }[];
  };
}
const offersOf = async (id: string) =>
  (await req('GET', `/api/command/assignments/${id}`, chief)).json().assignment.offers as {
    userId: string;
    status: string;
    rank: number;
    distanceM: number | null;
  }[];
const statusOf = (offers: { userId: string; status: string }[], who: Who | undefined) => offers.find((o) => o.userId === who!.user.id)?.status;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const fx = propagationFixtures(services());
  campaignId = (await fx.campaign({ startsAt: '2027-01-01T00:00:00+08:00', endsAt: '2027-06-01T00:00:00+08:00' })).id;
  otherCampaignId = (await fx.campaign({ startsAt: '2027-01-01T00:00:00+08:00', endsAt: '2027-06-01T00:00:00+08:00' })).id;
  chief = await staff(ctx, ['chief_editor']);
  editorA = await staff(ctx, ['editor']);
  editorB = await staff(ctx, ['editor']);
  reporter = await staff(ctx, ['reporter']);
  const made = await db()
    .insert(studios)
    .values([{ name: '时政工作室' }, { name: '民生工作室' }])
    .returning();
  studioA = made[0]!.id;
  studioB = made[1]!.id;
  await db()
    .insert(studioMembers)
    .values([
      { studioId: studioA, userId: editorA.user.id },
      { studioId: studioB, userId: editorB.user.id },
    ]);
}, 60_000);
afterAll(async () => {
  await ctx?.close();
});

describe('creating and editing assignments', () => {
  it('creates a draft with an event and an audit row, edits it with the version seen, and refuses a stale one', async () => {
    const a = await create();
    expect(a).toMatchObject({ status: 'draft', version: 1, offers: [] });
    const patched = await req('PATCH', `/api/command/assignments/${a.id}`, editorA, { version: 1, title: '改过的标题', wanted: 2 });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().assignment).toMatchObject({ title: '改过的标题', wanted: 2, version: 2 });
    const stale = await req('PATCH', `/api/command/assignments/${a.id}`, editorA, { version: 1, title: '又改' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('command.assignment.stale');
    const detail = (await req('GET', `/api/command/assignments/${a.id}`, editorA)).json();
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'updated']);
    const audits = await db().select().from(auditLog).where(eq(auditLog.objectId, a.id));
    expect(audits.map((r) => r.action).sort()).toEqual(['assignment.create', 'assignment.update']);
  });

  it('checks the theme, the times, the studio and the named people', async () => {
    const bad = async (over: Record<string, unknown>, code: string, status: number) => {
      const res = await req('POST', '/api/command/assignments', editorA, body(over));
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().error.code).toBe(code);
    };
    await bad({ theme: 'nope' }, 'command.assignment.unknown_theme', 400);
    await bad({ startsAt: '2027-03-12T00:00:00+08:00' }, 'command.assignment.bad_times', 400);
    await bad({ studioId: studioB }, 'command.out_of_scope', 403);
    await bad({ dispatch: { mode: 'named', userIds: [editorB.user.id] } }, 'command.assignment.bad_person', 400);
    await bad({ campaignId: '00000000-0000-4000-8000-000000000000' }, 'campaign.not_found', 404);
  });

  it('keeps other studios’ editors and the field out of the desk’s routes', async () => {
    const a = await create();
    const other = await req('PATCH', `/api/command/assignments/${a.id}`, editorB, { version: 1, title: 'x' });
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('command.out_of_scope');
    expect((await req('GET', `/api/command/assignments/${a.id}`, editorB)).statusCode).toBe(403);
    expect((await req('POST', `/api/command/assignments/${a.id}/dispatch`, editorB)).statusCode).toBe(403);
    const listB = (await req('GET', '/api/command/assignments', editorB)).json().assignments as { id: string }[];
    expect(listB.some((x) => x.id === a.id)).toBe(false);
    expect((await req('GET', `/api/command/assignments?studioId=${studioA}`, editorB)).statusCode).toBe(403);
    const contributor = await signUp(ctx.app);
    expect((await req('GET', '/api/command/assignments', contributor)).statusCode).toBe(403);
    expect((await req('GET', `/api/command/assignments/${a.id}`, contributor)).statusCode).toBe(403);
    expect((await req('GET', '/api/command/assignments')).statusCode).toBe(401);
  });
});

describe('the state machine', () => {
  const ACTIONS: AssignmentAction[] = ['dispatch', 'submit', 'complete', 'cancel'];
  it('allows exactly the legal transitions from every state, with an event and an audit row each', async () => {
    const [person] = await fieldPeople(freshPlace(), [{ km: 1 }]);
    for (const from of ASSIGNMENT_STATUSES) {
      for (const action of ACTIONS) {
        const row = await insertAssignment(db(), {
          createdBy: chief.user.id,
          campaignId,
          studioId: studioA,
          status: from,
          dispatch: { mode: 'named', userIds: [person!.user.id] },
        });
        const res = await req('POST', `/api/command/assignments/${row.id}/${action}`, editorA, action === 'cancel' ? { reason: '天气' } : undefined);
        const legal = TRANSITIONS[action].from.includes(from);
        expect(res.statusCode, `${action} from ${from}: ${res.body}`).toBe(legal ? 200 : 409);
        if (legal) {
          expect(res.json().assignment.status).toBe(TRANSITIONS[action].to);
          const events = (await req('GET', `/api/command/assignments/${row.id}`, editorA)).json().events as { kind: string }[];
          expect(events.map((e) => e.kind)).toContain(TRANSITIONS[action].to);
          const [audit] = await db()
            .select()
            .from(auditLog)
            .where(and(eq(auditLog.objectId, row.id), eq(auditLog.action, `assignment.${action}`)));
          expect(audit).toBeDefined();
        } else {
          expect(res.json().error.code).toBe('command.assignment.bad_transition');
        }
      }
    }
  });

  it('edits only drafts', async () => {
    for (const status of ASSIGNMENT_STATUSES.filter((s): s is Exclude<AssignmentStatus, 'draft'> => s !== 'draft')) {
      const row = await insertAssignment(db(), { createdBy: chief.user.id, campaignId, studioId: studioA, status });
      const res = await req('PATCH', `/api/command/assignments/${row.id}`, editorA, { version: row.version, title: '晚了' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('command.assignment.not_draft');
    }
  });

  it('flags overdue work and lists by state', async () => {
    const late = await insertAssignment(db(), {
      createdBy: chief.user.id,
      campaignId,
      studioId: studioA,
      status: 'assigned',
      deadlineAt: new Date('2027-03-10T09:00:00+08:00'),
    });
    const list = (await req('GET', '/api/command/assignments?overdue=true', editorA)).json().assignments as { id: string; overdue: boolean }[];
    expect(list.find((x) => x.id === late.id)).toMatchObject({ overdue: true });
    expect(list.every((x) => x.overdue)).toBe(true);
    const drafts = (await req('GET', '/api/command/assignments?status=draft', editorA)).json().assignments as { status: string }[];
    expect(drafts.every((x) => x.status === 'draft')).toBe(true);
  });
});

describe('dispatch', () => {
  it('nearest N: by distance, within each person’s travel distance, never the opted-out', async () => {
    const place = freshPlace();
    const [p1, p5, p20, far, traveller, optedOut] = await fieldPeople(place, [
      { km: 1 },
      { km: 5 },
      { km: 20 },
      { km: 100, travelKm: 30 },
      { km: 100, travelKm: 200 },
      { km: 2, optedIn: false },
    ]);
    const a = await create({ place, dispatch: { mode: 'nearest', n: 10 }, send: true });
    expect(a.status).toBe('assigned');
    expect(a.offers.map((o) => o.userId)).toEqual([p1, p5, p20, traveller].map((w) => w!.user.id));
    expect(a.offers.map((o) => o.status)).toEqual(['offered', 'queued', 'queued', 'queued']);
    expect(a.offers[0]!.distanceM).toBeGreaterThan(950);
    expect(a.offers[0]!.distanceM).toBeLessThan(1050);
    expect(a.offers.some((o) => o.userId === far!.user.id || o.userId === optedOut!.user.id)).toBe(false);
    // The first N only, `wanted` at a time.
    const two = await create({ place, wanted: 2, dispatch: { mode: 'nearest', n: 2 }, send: true });
    expect(two.offers.map((o) => [o.userId, o.status])).toEqual([
      [p1!.user.id, 'offered'],
      [p5!.user.id, 'offered'],
    ]);
    // The one offered gets a notice leading to the task.
    const [n] = await db()
      .select()
      .from(notices)
      .where(and(eq(notices.userId, p1!.user.id), eq(notices.kind, 'assignment_offered')));
    expect(n!.params).toMatchObject({ assignmentId: a.id, title: '滦平县驻村第一书记', respondByText: '03-10 10:30' });
    expect(noticePath(n!)).toBe(`/tasks/${a.id}`);
  });

  it('radius: everyone opted in inside it, all at once', async () => {
    const place = { ...freshPlace(), radiusM: 6000 };
    const [p1, p5, p20] = await fieldPeople(place, [{ km: 1 }, { km: 5 }, { km: 20 }]);
    const a = await create({ place, dispatch: { mode: 'radius' }, send: true });
    expect(a.offers.map((o) => [o.userId, o.status])).toEqual([
      [p1!.user.id, 'offered'],
      [p5!.user.id, 'offered'],
    ]);
    expect(a.offers.some((o) => o.userId === p20!.user.id)).toBe(false);
  });

  it('named: in the order given, a staff reporter included; nobody near is a 409 and stays draft', async () => {
    const [c] = await fieldPeople(freshPlace(), [{ km: 3 }]);
    const a = await create({ dispatch: { mode: 'named', userIds: [reporter.user.id, c!.user.id] }, send: true });
    expect(a.offers.map((o) => [o.userId, o.status, o.distanceM])).toEqual([
      [reporter.user.id, 'offered', null],
      [c!.user.id, 'queued', null],
    ]);
    const lonely = await create({ place: freshPlace(), dispatch: { mode: 'nearest', n: 3 } });
    const res = await req('POST', `/api/command/assignments/${lonely.id}/dispatch`, editorA);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('command.assignment.no_candidates');
    expect((await req('GET', `/api/command/assignments/${lonely.id}`, editorA)).json().assignment.status).toBe('draft');
  });
});

describe('offers in the field', () => {
  it('a decline offers it to the next person; the field sees only its own tasks', async () => {
    const place = freshPlace();
    const [p1, p2, stranger] = await fieldPeople(place, [{ km: 1 }, { km: 2 }, { km: 50, travelKm: 1 }]);
    const a = await create({ place, send: true });
    const tasks = (await req('GET', '/api/command/tasks', p1)).json().tasks as { id: string; offer: { status: string; respondBy: string } }[];
    expect(tasks.find((t) => t.id === a.id)).toMatchObject({ offer: { status: 'offered', respondBy: '2027-03-10T02:30:00.000Z' } });
    expect((await req('GET', `/api/command/tasks/${a.id}`, p2)).statusCode).toBe(404); // still queued
    expect((await req('GET', `/api/command/tasks/${a.id}`, stranger)).statusCode).toBe(404);
    expect((await req('POST', `/api/command/tasks/${a.id}/accept`, stranger)).statusCode).toBe(404);
    expect((await req('GET', '/api/command/tasks', editorA)).statusCode).toBe(403);
    const declined = await req('POST', `/api/command/tasks/${a.id}/decline`, p1, { reason: '今天有事' });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(declined.json().task.offer.status).toBe('declined');
    const offers = await offersOf(a.id);
    expect([statusOf(offers, p1), statusOf(offers, p2)]).toEqual(['declined', 'offered']);
    expect((await req('GET', `/api/command/tasks/${a.id}`, p2)).json().task.offer.status).toBe('offered');
    expect((await req('POST', `/api/command/tasks/${a.id}/accept`, p1)).json().error.code).toBe('command.offer.not_open');
  });

  it('a missed reply expires through the job and goes to the next; running it again does nothing', async () => {
    const place = freshPlace();
    const [p1, p2] = await fieldPeople(place, [{ km: 1 }, { km: 2 }]);
    const a = await create({ place, acceptMinutes: 10, send: true });
    const job = jobRegistry['command.offer-expiry'];
    const run = { jobId: 'test', attempt: 1, isLastAttempt: false };
    try {
      clock.advance(9 * 60_000);
      await job.handle({}, services(), run);
      expect(statusOf(await offersOf(a.id), p1)).toBe('offered');
      clock.advance(2 * 60_000);
      const late = await req('POST', `/api/command/tasks/${a.id}/accept`, p1);
      expect(late.json().error.code).toBe('command.offer.expired');
      await job.handle({}, services(), run);
      let offers = await offersOf(a.id);
      expect([statusOf(offers, p1), statusOf(offers, p2)]).toEqual(['expired', 'offered']);
      await job.handle({}, services(), run);
      offers = await offersOf(a.id);
      expect([statusOf(offers, p1), statusOf(offers, p2)]).toEqual(['expired', 'offered']);
      const events = (await req('GET', `/api/command/assignments/${a.id}`, chief)).json().events as { kind: string }[];
      expect(events.filter((e) => e.kind === 'expired')).toHaveLength(1);
    } finally {
      clock.set('2027-03-10T10:00:00+08:00');
    }
  });

  it('accepting the last place withdraws the other offers; a late accept is a 409 and they are told', async () => {
    const place = { ...freshPlace(), radiusM: 6000 };
    const [p1, p2] = await fieldPeople(place, [{ km: 1 }, { km: 2 }]);
    const a = await create({ place, dispatch: { mode: 'radius' }, send: true });
    const ok = await req('POST', `/api/command/tasks/${a.id}/accept`, p1);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().task.offer.status).toBe('accepted');
    expect((await req('POST', `/api/command/tasks/${a.id}/accept`, p1)).statusCode).toBe(200);
    const late = await req('POST', `/api/command/tasks/${a.id}/accept`, p2);
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatchObject({ code: 'command.offer.filled', message: 'Too late: the places on this assignment are already filled.' });
    expect(statusOf(await offersOf(a.id), p2)).toBe('withdrawn');
    const told = await req('GET', '/api/me/notices', p2);
    expect((told.json().notices as { kind: string; text: string }[]).find((n) => n.kind === 'assignment_changed')?.text).toContain('the places are filled');
  });

  it('two people accepting the last place at once: exactly one gets it', async () => {
    const place = { ...freshPlace(), radiusM: 6000 };
    const people = await fieldPeople(place, [{ km: 1 }, { km: 2 }, { km: 3 }]);
    const a = await create({ place, wanted: 2, dispatch: { mode: 'radius' }, send: true });
    expect((await req('POST', `/api/command/tasks/${a.id}/accept`, people[0])).statusCode).toBe(200);
    const results = await Promise.all([
      services()
        .offers.accept({ id: people[1]!.user.id, roles: ['contributor'] }, a.id)
        .then(
          () => 'ok',
          (e: AppError) => e.code,
        ),
      services()
        .offers.accept({ id: people[2]!.user.id, roles: ['contributor'] }, a.id)
        .then(
          () => 'ok',
          (e: AppError) => e.code,
        ),
    ]);
    expect(results.sort()).toEqual(['command.offer.filled', 'ok']);
    const rows = await db().select().from(assignmentOffers).where(eq(assignmentOffers.assignmentId, a.id));
    expect(rows.filter((r) => r.status === 'accepted')).toHaveLength(2);
  });

  it('cancelling withdraws open and queued offers and tells the people', async () => {
    const place = freshPlace();
    const [p1, p2] = await fieldPeople(place, [{ km: 1 }, { km: 2 }]);
    const a = await create({ place, send: true });
    const res = await req('POST', `/api/command/assignments/${a.id}/cancel`, editorA, { reason: '暴雨' });
    expect(res.statusCode).toBe(200);
    const offers = await offersOf(a.id);
    expect([statusOf(offers, p1), statusOf(offers, p2)]).toEqual(['withdrawn', 'withdrawn']);
    const changed = await db()
      .select()
      .from(notices)
      .where(and(eq(notices.userId, p1!.user.id), eq(notices.kind, 'assignment_changed')));
    expect(changed.map((n) => n.params.changeText)).toEqual(['command.assignment.change.cancelled']);
    const zh = await ctx.app.inject({ method: 'GET', url: '/api/me/notices', headers: { cookie: p1!.cookie, 'accept-language': 'zh-CN' } });
    expect((zh.json().notices as { text: string }[])[0]!.text).toBe('任务「滦平县驻村第一书记」有变化：任务已取消');
    expect((await req('POST', `/api/command/tasks/${a.id}/accept`, p1)).statusCode).toBe(409);
  });
});

describe('footage against an assignment', () => {
  const start = (userId: string, metadata: Record<string, string>) =>
    services().submissions.startUpload(
      { id: userId, roles: ['contributor'] },
      {
        uploadId: `u-${Math.random().toString(36).slice(2)}`,
        uploadLength: 1000,
        metadata: { campaignId, theme: 'food', title: '现场', filename: 'a.mp4', consent: 'true', ...metadata },
      },
    );
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: AppError) => e.code,
    );

  it('takes an accepted person’s upload, links it and starts the work; refuses everyone else with a clear code', async () => {
    const place = { ...freshPlace(), radiusM: 6000 };
    const [worker, offered, stranger] = await fieldPeople(place, [{ km: 1 }, { km: 2 }, { km: 40, travelKm: 1 }]);
    const a = await create({ place, wanted: 2, dispatch: { mode: 'radius' }, send: true });
    expect((await req('POST', `/api/command/tasks/${a.id}/accept`, worker)).statusCode).toBe(200);
    const w = worker!.user.id;
    expect(await code(start(w, { assignmentId: a.id, campaignId: otherCampaignId }))).toBe('command.assignment.wrong_campaign');
    expect(await code(start(w, { assignmentId: a.id, theme: 'travel' }))).toBe('command.assignment.wrong_theme');
    expect(await code(start(offered!.user.id, { assignmentId: a.id }))).toBe('command.assignment.not_accepted');
    expect(await code(start(stranger!.user.id, { assignmentId: a.id }))).toBe('command.assignment_not_found');
    expect(await code(start(w, { assignmentId: 'not-a-uuid' }))).toBe('upload.invalid_metadata');
    const row = await start(w, { assignmentId: a.id });
    expect(row.assignmentId).toBe(a.id);
    const detail = (await req('GET', `/api/command/assignments/${a.id}`, editorA)).json();
    expect(detail.assignment).toMatchObject({ status: 'in_progress', submissionCount: 1 });
    expect(detail.footage).toMatchObject([{ submissionId: row.id, userId: w }]);
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['footage', 'in_progress']));
    expect((await req('GET', `/api/command/tasks/${a.id}`, worker)).json().task.mySubmissionCount).toBe(1);
    // A second upload keeps it in progress; a finished assignment takes no more.
    await start(w, { assignmentId: a.id });
    expect((await req('POST', `/api/command/assignments/${a.id}/complete`, editorA)).statusCode).toBe(200);
    expect(await code(start(w, { assignmentId: a.id }))).toBe('command.assignment.not_active');
  });

  it('takes the phone’s own recording of a call it was on, even after the work is done and for someone who never joined the campaign', async () => {
    // A staff reporter (never a campaign member) called on an assignment without a theme, which
    // is completed before the phone comes back with its recording.
    const field = await staff(ctx, ['reporter']);
    const stranger = await signUp(ctx.app, { campaignId });
    const a = await insertAssignment(db(), { createdBy: chief.user.id, campaignId, title: '连线录像' });
    await insertOffer(db(), { assignmentId: a.id, userId: field.user.id });
    const [answered, unanswered] = await db()
      .insert(commandCalls)
      .values([
        {
          assignmentId: a.id,
          startedBy: chief.user.id,
          direction: 'desk_to_field',
          calleeId: field.user.id,
          media: 'p2p',
          status: 'ended',
          answeredAt: clock.now(),
        },
        { assignmentId: a.id, startedBy: chief.user.id, direction: 'desk_to_field', calleeId: field.user.id, media: 'p2p', status: 'missed' },
      ])
      .returning();
    await db()
      .insert(commandCallParticipants)
      .values(
        [answered!, unanswered!].flatMap((c) => [
          { callId: c.id, userId: chief.user.id, role: 'director' as const },
          { callId: c.id, userId: field.user.id, role: 'guest' as const },
        ]),
      );
    await db().update(assignments).set({ status: 'completed' }).where(eq(assignments.id, a.id));
    // A call's recording carries no theme: the phone does not know one.
    const recording = (userId: string, over: Record<string, string> = {}) =>
      services().submissions.startUpload(
        { id: userId, roles: ['reporter'] },
        {
          uploadId: `u-${Math.random().toString(36).slice(2)}`,
          uploadLength: 1000,
          metadata: { campaignId, title: '连线录像', filename: 'call.webm', consent: 'true', assignmentId: a.id, callId: answered!.id, ...over },
        },
      );
    // Not on the call, a call that never connected, another assignment, another campaign: refused.
    expect(await code(recording(stranger.user.id))).toBe('command.call.not_found');
    expect(await code(recording(field.user.id, { callId: unanswered!.id }))).toBe('command.call.not_found');
    const other = await insertAssignment(db(), { createdBy: chief.user.id, campaignId });
    expect(await code(recording(field.user.id, { assignmentId: other.id }))).toBe('command.call.not_found');
    expect(await code(recording(field.user.id, { campaignId: otherCampaignId }))).toBe('command.assignment.wrong_campaign');
    expect(await code(recording(field.user.id, { assignmentId: '' }))).toBe('upload.invalid_metadata');
    // Without a call, a theme is still required.
    expect(await code(start(field.user.id, { theme: '' }))).toBe('upload.invalid_metadata');
    const row = await recording(field.user.id);
    // Processed by a call's rules, under the campaign's first theme, linked to the assignment.
    expect(row).toMatchObject({ source: 'call', assignmentId: a.id, theme: 'food' });
    const detail = (await req('GET', `/api/command/assignments/${a.id}`, chief)).json();
    expect(detail.assignment.status).toBe('completed');
    expect(detail.footage).toMatchObject([{ submissionId: row.id, userId: field.user.id }]);
  });

  it('shows the assignment on the desk queue and the review page', async () => {
    const u = await signUp(ctx.app, { campaignId });
    const a = await insertAssignment(db(), { createdBy: chief.user.id, campaignId, title: '带任务的素材' });
    await insertOffer(db(), { assignmentId: a.id, userId: u.user.id });
    const s = await processedSubmission(ctx, { userId: u.user.id, campaignId, at: clock.now() });
    await db().update(submissions).set({ assignmentId: a.id }).where(eq(submissions.id, s.id));
    const plain = await processedSubmission(ctx, { userId: u.user.id, campaignId, at: clock.now() });
    const items = (await req('GET', '/api/desk/queue?limit=200', chief)).json().items as { submission: { id: string }; assignment: unknown }[];
    expect(items.find((i) => i.submission.id === s.id)?.assignment).toEqual({ id: a.id, title: '带任务的素材' });
    expect(items.find((i) => i.submission.id === plain.id)?.assignment).toBeNull();
    expect((await req('GET', `/api/desk/submissions/${s.id}`, chief)).json().assignment).toEqual({ id: a.id, title: '带任务的素材' });
    expect(await db().select({ id: assignments.id }).from(assignments).where(eq(assignments.id, a.id))).toHaveLength(1);
  });
});

describe('field profiles', () => {
  it('opts in with the home area rounded to about a kilometre, and out keeping nothing precise', async () => {
    const u = await signUp(ctx.app);
    expect((await req('GET', '/api/command/field-profile', u)).json().profile).toMatchObject({ optedIn: false, lat: null });
    const on = await req('PUT', '/api/command/field-profile', u, { optedIn: true, lat: 40.123456, lng: 117.654321, placeName: '滦平', travelKm: 50 });
    expect(on.statusCode, on.body).toBe(200);
    const p = on.json().profile;
    expect(p).toMatchObject({ optedIn: true, placeName: '滦平', travelKm: 50 });
    expect(Math.abs(p.lat - 40.123456)).toBeLessThan(0.006);
    expect(p.lat).not.toBe(40.123456);
    expect((await req('PUT', '/api/command/field-profile', u, { optedIn: true })).statusCode).toBe(400);
    const off = await req('PUT', '/api/command/field-profile', u, { optedIn: false });
    expect(off.json().profile).toMatchObject({ optedIn: false, lat: null, lng: null, placeName: null, travelKm: 50 });
    expect((await req('GET', '/api/command/field-profile', editorA)).statusCode).toBe(403);
  });
});
