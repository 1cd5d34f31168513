import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';

const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
let admin: { cookie: string };
let chief: { cookie: string; user: { id: string } };
let campaignId: string;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  admin = await staff(ctx, ['admin']);
  chief = await staff(ctx, ['chief_editor']);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/campaigns',
    headers: { cookie: admin.cookie },
    payload: { ...demoCampaign(clock.now()), slug: 'desk-test' },
  });
  campaignId = res.json().campaign.id;
});
afterAll(async () => {
  await ctx?.close();
});

/** A contributor's video that has finished processing (the pipeline itself is tested in submissions/). */
async function inReview(opts: { theme?: string; cookie?: string; userId?: string; minutesAgo?: number; duplicateOf?: string } = {}) {
  const u = opts.cookie ? { cookie: opts.cookie, user: { id: opts.userId! } } : await signUp(ctx.app, { campaignId });
  const repo = ctx.runtime.services.submissionsRepo;
  const row = await repo.create({
    userId: u.user.id,
    campaignId,
    theme: opts.theme ?? 'food',
    title: '街头小吃',
    consentAt: clock.now(),
    status: 'in_review',
    progress: 100,
    uploadLength: 1000,
    originalFilename: 'a.mp4',
    durationSeconds: 75,
    width: 720,
    height: 1280,
    duplicateOf: opts.duplicateOf ?? null,
    processedAt: new Date(clock.now().getTime() - (opts.minutesAgo ?? 0) * 60_000),
  });
  return { id: row.id, contributor: u };
}

const post = (cookie: string, url: string, payload?: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method: 'POST', url, headers: { cookie, 'accept-language': lang }, payload: payload as object });
const balance = async (cookie: string) => (await ctx.app.inject({ method: 'GET', url: '/api/me/ledger', headers: { cookie } })).json().balanceFen as number;

describe('review queue and studios', () => {
  it('orders by waiting time, routes campaigns and themes to studios, and lets a chief editor see everything', async () => {
    const food = await staff(ctx, ['editor']);
    const travel = await staff(ctx, ['editor']);
    const s1 = await post(chief.cookie, '/api/desk/studios', { name: '美食工作室', memberIds: [food.user.id], routes: [{ campaignId, theme: 'food' }] });
    expect(s1.statusCode).toBe(201);
    await post(chief.cookie, '/api/desk/studios', { name: '旅行工作室', memberIds: [travel.user.id], routes: [{ campaignId, theme: 'travel' }] });
    expect((await post(food.cookie, '/api/desk/studios', { name: 'rogue' })).statusCode).toBe(403);

    const older = await inReview({ theme: 'food', minutesAgo: 50 });
    const newer = await inReview({ theme: 'food', minutesAgo: 5 });
    const trip = await inReview({ theme: 'travel', minutesAgo: 30 });
    const queue = async (cookie: string, qs = '') =>
      (await ctx.app.inject({ method: 'GET', url: `/api/desk/queue?campaignId=${campaignId}${qs}`, headers: { cookie } })).json().items as {
        submission: { id: string };
        waitingSeconds: number;
        contributor: { trust: string };
      }[];
    const mine = (await queue(food.cookie)).map((i) => i.submission.id);
    expect(mine.indexOf(older.id)).toBeLessThan(mine.indexOf(newer.id));
    expect(mine).not.toContain(trip.id);
    expect((await queue(travel.cookie)).map((i) => i.submission.id)).toContain(trip.id);
    const all = (await queue(chief.cookie)).map((i) => i.submission.id);
    expect(all).toEqual(expect.arrayContaining([older.id, newer.id, trip.id]));
    expect((await queue(chief.cookie, '&theme=travel')).map((i) => i.submission.id)).toEqual([trip.id]);
    const first = (await queue(food.cookie)).find((i) => i.submission.id === older.id)!;
    expect(first.waitingSeconds).toBe(50 * 60);
    expect(first.contributor.trust).toBe('new');
    // Out of an editor's scope: another studio's item.
    expect((await ctx.app.inject({ method: 'GET', url: `/api/desk/submissions/${trip.id}`, headers: { cookie: food.cookie } })).statusCode).toBe(403);
  });

  it('filters by the duplicate flag and keeps contributors out', async () => {
    const original = await inReview({ theme: 'way-home' });
    const copy = await inReview({ theme: 'way-home', duplicateOf: original.id });
    const dupes = (await ctx.app.inject({ method: 'GET', url: `/api/desk/queue?theme=way-home&duplicate=true`, headers: { cookie: chief.cookie } })).json()
      .items;
    expect(dupes.map((i: { submission: { id: string } }) => i.submission.id)).toEqual([copy.id]);
    expect(dupes[0].submission.duplicate.submissionId).toBe(original.id);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/desk/queue', headers: { cookie: copy.contributor.cookie } })).statusCode).toBe(403);
  });
});

describe('a plain editor at work in their studio', () => {
  it('claims, adopts, regrades and rejects items routed to their studio', async () => {
    const editor = await staff(ctx, ['editor']);
    const created = await post(chief.cookie, '/api/desk/studios', {
      name: '回家工作室',
      memberIds: [editor.user.id],
      routes: [{ campaignId, theme: 'way-home' }],
    });
    expect(created.statusCode).toBe(201);
    const a = await inReview({ theme: 'way-home' });
    const b = await inReview({ theme: 'way-home' });
    expect((await post(editor.cookie, `/api/desk/submissions/${a.id}/claim`)).statusCode).toBe(200);
    const adopted = await post(editor.cookie, `/api/desk/submissions/${a.id}/adopt`, { grade: 'C' });
    expect(adopted.statusCode).toBe(200);
    expect((await post(editor.cookie, `/api/desk/submissions/${a.id}/grade`, { grade: 'B', expectedGrade: 'C' })).statusCode).toBe(200);
    expect(await balance(a.contributor.cookie)).toBe(200_000);
    expect((await post(editor.cookie, `/api/desk/submissions/${b.id}/reject`, { reason: 'poor_quality' })).statusCode).toBe(200);
    // Not their studio's theme: out of scope, and the server keeps answering.
    const other = await inReview({ theme: 'travel' });
    const taken = await post(chief.cookie, '/api/desk/studios', { name: '别的工作室', routes: [{ campaignId, theme: 'travel' }] }, 'en');
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('studio.route_taken');
    expect((await post(chief.cookie, '/api/desk/studios', { name: '回家工作室' })).json().error.code).toBe('studio.name_taken');
    expect((await post(editor.cookie, `/api/desk/submissions/${other.id}/claim`)).statusCode).toBe(403);
  });
});

describe('claims', () => {
  it('keeps two editors off the same item until the claim expires', async () => {
    const a = await staff(ctx, ['chief_editor']);
    const b = await staff(ctx, ['chief_editor']);
    const item = await inReview();
    expect((await post(a.cookie, `/api/desk/submissions/${item.id}/claim`)).statusCode).toBe(200);
    const taken = await post(b.cookie, `/api/desk/submissions/${item.id}/claim`);
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('desk.claimed_by_other');
    expect((await post(b.cookie, `/api/desk/submissions/${item.id}/adopt`, { grade: 'A' })).statusCode).toBe(409);
    clock.advance(16 * 60_000);
    try {
      expect((await post(b.cookie, `/api/desk/submissions/${item.id}/claim`)).json().claim.mine).toBe(true);
    } finally {
      clock.advance(-16 * 60_000);
    }
  });
});

describe('grading and adoption', () => {
  it('adopts with a grade from the table: reward posted, publication queued, contributor paid once however often it is clicked', async () => {
    const editor = await staff(ctx, ['chief_editor']);
    const item = await inReview();
    const bad = await post(editor.cookie, `/api/desk/submissions/${item.id}/adopt`, { grade: 'Z' }, 'en');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('desk.unknown_grade');
    expect(await balance(item.contributor.cookie)).toBe(0);

    const clicks = await Promise.all([1, 2, 3].map(() => post(editor.cookie, `/api/desk/submissions/${item.id}/adopt`, { grade: 'B' })));
    expect(clicks.map((c) => c.statusCode)).toEqual([200, 200, 200]);
    expect(new Set(clicks.map((c) => c.json().transferId)).size).toBe(1);
    expect(clicks[0]!.json().submission).toMatchObject({ status: 'adopted', grade: 'B' });
    expect(await balance(item.contributor.cookie)).toBe(200_000);
    const outbox = await ctx.runtime.services.deskRepo.listOutbox();
    expect(outbox.filter((o) => o.submissionId === item.id)).toHaveLength(1);
    const other = await post(editor.cookie, `/api/desk/submissions/${item.id}/adopt`, { grade: 'S' });
    expect(other.statusCode).toBe(409);
    expect(await balance(item.contributor.cookie)).toBe(200_000);
  });

  it('two editors adopting at once pay exactly once', async () => {
    const a = await staff(ctx, ['chief_editor']);
    const b = await staff(ctx, ['chief_editor']);
    const item = await inReview();
    const results = await Promise.all([
      post(a.cookie, `/api/desk/submissions/${item.id}/adopt`, { grade: 'A' }),
      post(b.cookie, `/api/desk/submissions/${item.id}/adopt`, { grade: 'A' }),
    ]);
    expect(results.filter((r) => r.statusCode === 200).length).toBeGreaterThanOrEqual(1);
    expect(await balance(item.contributor.cookie)).toBe(500_000);
    const reconciliation = (await ctx.app.inject({ method: 'GET', url: '/api/finance/reconciliation', headers: { cookie: admin.cookie } })).json();
    expect(reconciliation.totalFen).toBe(0);
  });

  it('a changed grade posts a correcting entry for the difference, once', async () => {
    const editor = await staff(ctx, ['chief_editor']);
    const item = await inReview();
    await post(editor.cookie, `/api/desk/submissions/${item.id}/adopt`, { grade: 'C' });
    expect(await balance(item.contributor.cookie)).toBe(50_000);
    const up = await post(editor.cookie, `/api/desk/submissions/${item.id}/grade`, { grade: 'A', expectedGrade: 'C' });
    expect(up.json().submission.grade).toBe('A');
    const retry = await post(editor.cookie, `/api/desk/submissions/${item.id}/grade`, { grade: 'A', expectedGrade: 'C' });
    expect(retry.statusCode).toBe(200);
    expect(await balance(item.contributor.cookie)).toBe(500_000);
    const stale = await post(editor.cookie, `/api/desk/submissions/${item.id}/grade`, { grade: 'S', expectedGrade: 'C' });
    expect(stale.statusCode).toBe(409);
    const statement = (await ctx.app.inject({ method: 'GET', url: '/api/me/ledger', headers: { cookie: item.contributor.cookie } })).json();
    expect(statement.entries.map((e: { kind: string; amountFen: number }) => [e.kind, e.amountFen])).toEqual([
      ['grade_correction', 450_000],
      ['adoption_reward', 50_000],
    ]);
  });

  it('a failure after the ledger write rolls the whole adoption back: nothing paid, still in review', async () => {
    const editor = await staff(ctx, ['chief_editor']);
    const item = await inReview();
    const sql = ctx.runtime.services.database.sql;
    await sql.exec(`ALTER TABLE publication_outbox ADD CONSTRAINT crash_test CHECK (submission_id <> '${item.id}')`);
    try {
      const res = await post(editor.cookie, `/api/desk/submissions/${item.id}/adopt`, { grade: 'A' });
      expect(res.statusCode).toBe(500);
    } finally {
      await sql.exec('ALTER TABLE publication_outbox DROP CONSTRAINT crash_test');
    }
    expect(await balance(item.contributor.cookie)).toBe(0);
    const review = (await ctx.app.inject({ method: 'GET', url: `/api/desk/submissions/${item.id}`, headers: { cookie: editor.cookie } })).json();
    expect(review.submission.status).toBe('in_review');
    expect((await post(editor.cookie, `/api/desk/submissions/${item.id}/adopt`, { grade: 'A' })).statusCode).toBe(200);
    expect(await balance(item.contributor.cookie)).toBe(500_000);
  });

  it('rejects with a reason the contributor reads in their own language, and notes pass between editors', async () => {
    const editor = await staff(ctx, ['chief_editor']);
    const item = await inReview();
    const note = await post(editor.cookie, `/api/desk/submissions/${item.id}/notes`, { body: '画面抖动，但是线索不错' });
    expect(note.statusCode).toBe(201);
    const res = await post(editor.cookie, `/api/desk/submissions/${item.id}/reject`, { reason: 'off_theme', note: 'Please film the food itself.' }, 'en');
    expect(res.json().submission.status).toBe('rejected');
    const zh = (
      await ctx.app.inject({ method: 'GET', url: '/api/me/submissions', headers: { cookie: item.contributor.cookie, 'accept-language': 'zh-CN' } })
    ).json().submissions[0];
    expect(zh.rejection.code).toBe('desk.reason.off_theme');
    expect(zh.rejection.message).toMatch(/^这条视频与活动主题不符。 — Please film the food itself\.$/);
    const en = (
      await ctx.app.inject({ method: 'GET', url: '/api/me/submissions', headers: { cookie: item.contributor.cookie, 'accept-language': 'en' } })
    ).json().submissions[0];
    expect(en.rejection.message).toMatch(/^The video does not fit the campaign’s theme\./);
    const review = (await ctx.app.inject({ method: 'GET', url: `/api/desk/submissions/${item.id}`, headers: { cookie: chief.cookie } })).json();
    expect(review.notes.map((n: { body: string }) => n.body)).toEqual(['画面抖动，但是线索不错']);
    expect(review.contributor).toMatchObject({ rejected: 1, adopted: 0 });
  });
});
