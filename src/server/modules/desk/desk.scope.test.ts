import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, processedSubmission, signUp, staff, type TestContext } from '../../testing/harness.js';

// Studio scope per object (docs/desk.md, "Studios"): for every route that names a submission,
// an editor of another studio is refused with 403 desk.out_of_scope and changes nothing; the
// studio's own editor then does the same thing and succeeds.

// 2026-11-26 12:00 in Beijing.
const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
let chief: { cookie: string };
let mine: { cookie: string; user: { id: string } };
let lead: { cookie: string; user: { id: string } };
let other: { cookie: string; user: { id: string } };
let campaignId: string;
let work: string;
let jpeg: string;

const s = () => ctx.runtime.services;
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const call = (who: { cookie: string }, method: Method, url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: { cookie: who.cookie }, ...(payload === undefined ? {} : { payload: payload as object }) });

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const admin = await staff(ctx, ['admin']);
  chief = await staff(ctx, ['chief_editor']);
  mine = await staff(ctx, ['editor']);
  lead = await staff(ctx, ['editor']);
  other = await staff(ctx, ['editor']);
  const res = await call(admin, 'POST', '/api/admin/campaigns', { ...demoCampaign(clock.now()), slug: 'scope-test' });
  campaignId = res.json().campaign.id;
  // Food goes to one studio (a member and a lead who is not a member); travel to another; way-home nowhere.
  expect(
    (
      await call(chief, 'POST', '/api/desk/studios', {
        name: '美食工作室',
        leadUserId: lead.user.id,
        memberIds: [mine.user.id],
        routes: [{ campaignId, theme: 'food' }],
      })
    ).statusCode,
  ).toBe(201);
  expect(
    (await call(chief, 'POST', '/api/desk/studios', { name: '旅行工作室', memberIds: [other.user.id], routes: [{ campaignId, theme: 'travel' }] })).statusCode,
  ).toBe(201);
  work = mkdtempSync(path.join(tmpdir(), 'paike-scope-'));
  jpeg = path.join(work, 'frame.jpg');
  writeFileSync(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]));
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A processed video in the food studio's queue (or adopted by the chief), with a poster and cover candidates in storage. */
async function item(opts: { status?: 'in_review' | 'adopted'; theme?: string } = {}) {
  const u = await signUp(ctx.app, { campaignId });
  const row = await processedSubmission(ctx, { userId: u.user.id, campaignId, at: clock.now(), theme: opts.theme ?? 'food' });
  const prefix = `submissions/${row.id}`;
  await s().storage.putFile(`${prefix}/poster.jpg`, jpeg);
  for (let i = 0; i < 6; i++) await s().storage.putFile(`${prefix}/covers/${i}.jpg`, jpeg);
  await s().submissionsRepo.update(row.id, {
    outputs: { original: `${prefix}/original`, poster: `${prefix}/poster.jpg`, master: `${prefix}/hls/master.m3u8` },
  });
  if (opts.status === 'adopted') expect((await call(chief, 'POST', `/api/desk/submissions/${row.id}/adopt`, { grade: 'C' })).statusCode).toBe(200);
  return { id: row.id, contributor: u };
}

interface Case {
  route: string;
  status: 'in_review' | 'adopted';
  request: (id: string) => { method: Method; url: string; payload?: unknown };
  /** What the studio's own editor gets after the outsider was refused. */
  ok: number;
}

const day = (offset: number) => new Date(clock.now().getTime() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);

const cases: Case[] = [
  { route: 'GET /api/desk/submissions/:id', status: 'in_review', request: (id) => ({ method: 'GET', url: `/api/desk/submissions/${id}` }), ok: 200 },
  {
    route: 'POST /api/desk/submissions/:id/claim',
    status: 'in_review',
    request: (id) => ({ method: 'POST', url: `/api/desk/submissions/${id}/claim` }),
    ok: 200,
  },
  {
    route: 'DELETE /api/desk/submissions/:id/claim',
    status: 'in_review',
    request: (id) => ({ method: 'DELETE', url: `/api/desk/submissions/${id}/claim` }),
    ok: 204,
  },
  {
    route: 'POST /api/desk/submissions/:id/adopt',
    status: 'in_review',
    request: (id) => ({ method: 'POST', url: `/api/desk/submissions/${id}/adopt`, payload: { grade: 'C' } }),
    ok: 200,
  },
  {
    route: 'POST /api/desk/submissions/:id/reject',
    status: 'in_review',
    request: (id) => ({ method: 'POST', url: `/api/desk/submissions/${id}/reject`, payload: { reason: 'off_theme' } }),
    ok: 200,
  },
  {
    route: 'POST /api/desk/submissions/:id/grade',
    status: 'adopted',
    request: (id) => ({ method: 'POST', url: `/api/desk/submissions/${id}/grade`, payload: { grade: 'B', expectedGrade: 'C' } }),
    ok: 200,
  },
  {
    route: 'POST /api/desk/submissions/:id/notes',
    status: 'in_review',
    request: (id) => ({ method: 'POST', url: `/api/desk/submissions/${id}/notes`, payload: { body: '画面很稳' } }),
    ok: 201,
  },
  {
    route: 'POST /api/desk/submissions/:id/edits',
    status: 'adopted',
    request: (id) => ({ method: 'POST', url: `/api/desk/submissions/${id}/edits`, payload: { startSeconds: 1, endSeconds: 61, mode: 'vtt', subtitles: [] } }),
    ok: 202,
  },
  { route: 'GET /api/desk/submissions/:id/edits', status: 'adopted', request: (id) => ({ method: 'GET', url: `/api/desk/submissions/${id}/edits` }), ok: 200 },
  {
    route: 'GET /api/desk/submissions/:id/packages',
    status: 'adopted',
    request: (id) => ({ method: 'GET', url: `/api/desk/submissions/${id}/packages` }),
    ok: 200,
  },
  {
    route: 'PUT /api/desk/submissions/:id/packages/:channel',
    status: 'adopted',
    request: (id) => ({
      method: 'PUT',
      url: `/api/desk/submissions/${id}/packages/app`,
      payload: { headline: '成都的早晨', coverKey: `submissions/${id}/covers/2.jpg` },
    }),
    ok: 200,
  },
  {
    route: 'GET /api/desk/submissions/:id/covers',
    status: 'adopted',
    request: (id) => ({ method: 'GET', url: `/api/desk/submissions/${id}/covers` }),
    ok: 200,
  },
  {
    route: 'PUT /api/desk/daily-picks/:day',
    status: 'adopted',
    request: (id) => ({
      method: 'PUT',
      url: `/api/desk/daily-picks/${day(3)}`,
      payload: { submissionId: id, headline: '每日必看', coverKey: `submissions/${id}/poster.jpg` },
    }),
    ok: 200,
  },
  {
    route: 'GET /api/desk/submissions/:id/publications',
    status: 'adopted',
    request: (id) => ({ method: 'GET', url: `/api/desk/submissions/${id}/publications` }),
    ok: 200,
  },
  {
    route: 'POST /api/desk/submissions/:id/publications/:channel',
    status: 'adopted',
    request: (id) => ({ method: 'POST', url: `/api/desk/submissions/${id}/publications/app` }),
    ok: 200,
  },
  // No nomination exists: in scope the service looks for it (404); out of scope it never gets that far.
  {
    route: 'POST /api/desk/grand-prize/:campaignId/:submissionId/confirm',
    status: 'adopted',
    request: (id) => ({ method: 'POST', url: `/api/desk/grand-prize/${campaignId}/${id}/confirm`, payload: { amountFen: 100_000 } }),
    ok: 404,
  },
  { route: 'GET /api/submissions/:id', status: 'in_review', request: (id) => ({ method: 'GET', url: `/api/submissions/${id}` }), ok: 200 },
  {
    route: 'GET /api/media/submissions/:id/poster.jpg',
    status: 'in_review',
    request: (id) => ({ method: 'GET', url: `/api/media/submissions/${id}/poster.jpg` }),
    ok: 200,
  },
  {
    route: 'GET /api/media/submissions/:id/covers/:n.jpg',
    status: 'adopted',
    request: (id) => ({ method: 'GET', url: `/api/media/submissions/${id}/covers/4.jpg` }),
    ok: 200,
  },
];

describe('studio scope on every route that names a submission', { timeout: 60_000 }, () => {
  it.each(cases)('$route: another studio’s editor gets 403, the studio’s own editor $ok', async (c) => {
    const v = await item({ status: c.status });
    const { method, url, payload } = c.request(v.id);
    const refused = await call(other, method, url, payload);
    expect([refused.statusCode, refused.json().error?.code]).toEqual([403, 'desk.out_of_scope']);
    const done = await call(mine, method, url, payload);
    expect([done.statusCode, done.statusCode >= 400 ? done.json().error.code : null]).toEqual([c.ok, c.ok === 404 ? 'grand_prize.not_found' : null]);
  });

  it('the outsider changed nothing: no headline, no daily pick, no claim, no decision', async () => {
    const v = await item({ status: 'adopted' });
    expect((await call(other, 'PUT', `/api/desk/submissions/${v.id}/packages/weibo`, { headline: '改过的标题' })).statusCode).toBe(403);
    expect((await call(other, 'PUT', `/api/desk/daily-picks/${day(5)}`, { submissionId: v.id, headline: '改过的标题' })).statusCode).toBe(403);
    expect((await call(mine, 'GET', `/api/desk/submissions/${v.id}/packages`)).json().packages).toEqual([]);
    expect((await call(mine, 'GET', `/api/desk/daily-picks?from=${day(5)}&to=${day(5)}`)).json().picks).toEqual([]);
    const queued = await item();
    expect((await call(other, 'POST', `/api/desk/submissions/${queued.id}/claim`)).statusCode).toBe(403);
    expect((await call(other, 'POST', `/api/desk/submissions/${queued.id}/reject`, { reason: 'other' })).statusCode).toBe(403);
    const review = (await call(mine, 'GET', `/api/desk/submissions/${queued.id}`)).json();
    expect([review.claim, review.submission.status]).toEqual([null, 'in_review']);
  });

  it('a day holding another studio’s video can be neither replaced nor cleared by an outsider', async () => {
    const food = await item({ status: 'adopted' });
    const travel = await item({ status: 'adopted', theme: 'travel' });
    expect((await call(mine, 'PUT', `/api/desk/daily-picks/${day(4)}`, { submissionId: food.id, headline: '美食' })).statusCode).toBe(200);
    const replaced = await call(other, 'PUT', `/api/desk/daily-picks/${day(4)}`, { submissionId: travel.id, headline: '旅行' });
    expect([replaced.statusCode, replaced.json().error.code]).toEqual([403, 'desk.out_of_scope']);
    expect((await call(other, 'DELETE', `/api/desk/daily-picks/${day(4)}`)).statusCode).toBe(403);
    expect(
      (await call(mine, 'GET', `/api/desk/daily-picks?from=${day(4)}&to=${day(4)}`)).json().picks.map((p: { submissionId: string }) => p.submissionId),
    ).toEqual([food.id]);
    expect((await call(mine, 'DELETE', `/api/desk/daily-picks/${day(4)}`)).statusCode).toBe(204);
    // The day is free again: the other studio may now take it with its own video.
    expect((await call(other, 'PUT', `/api/desk/daily-picks/${day(4)}`, { submissionId: travel.id, headline: '旅行' })).statusCode).toBe(200);
  });

  it('a studio’s lead works its items; items routed nowhere are everyone’s; chief editors see all; contributors only their own', async () => {
    const food = await item({ status: 'adopted' });
    const pool = await item({ status: 'adopted', theme: 'way-home' });
    expect((await call(lead, 'PUT', `/api/desk/submissions/${food.id}/packages/app`, { headline: '领队改的标题' })).statusCode).toBe(200);
    expect((await call(lead, 'GET', `/api/media/submissions/${food.id}/poster.jpg`)).statusCode).toBe(200);
    for (const who of [mine, other, lead, chief]) expect((await call(who, 'GET', `/api/desk/submissions/${pool.id}/packages`)).statusCode).toBe(200);
    expect((await call(chief, 'GET', `/api/submissions/${food.id}`)).statusCode).toBe(200);
    expect((await call(food.contributor, 'GET', `/api/media/submissions/${food.id}/poster.jpg`)).statusCode).toBe(200);
    expect((await call(pool.contributor, 'GET', `/api/submissions/${food.id}`)).statusCode).toBe(403);
    expect((await call(pool.contributor, 'GET', `/api/media/submissions/${food.id}/poster.jpg`)).statusCode).toBe(403);
  });
});
