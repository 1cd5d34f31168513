import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCampaign } from '../../seed.js';
import { createTestContext, fixedClock, signUp, staff, type TestContext } from '../../testing/harness.js';
import { fixture } from '../media/media.fixtures.js';
import { probeMedia } from '../media/probe.js';

// 2026-11-26 12:00 in Beijing.
const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
let editor: { cookie: string };
let campaignId: string;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  const admin = await staff(ctx, ['admin']);
  editor = await staff(ctx, ['editor']);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/campaigns',
    headers: { cookie: admin.cookie },
    payload: { ...demoCampaign(clock.now()), slug: 'pack-test' },
  });
  campaignId = res.json().campaign.id;
}, 120_000);
afterAll(async () => {
  await ctx?.close();
});

/** An adopted video with a real original in storage (processing itself is tested in submissions/). */
async function adopted(status: 'adopted' | 'in_review' = 'adopted') {
  const u = await signUp(ctx.app, { campaignId });
  const file = await fixture('h264-aac-portrait.mp4');
  const facts = await probeMedia(file);
  const { submissionsRepo, storage } = ctx.runtime.services;
  const row = await submissionsRepo.create({
    userId: u.user.id,
    campaignId,
    theme: 'food',
    title: '成都早餐',
    consentAt: clock.now(),
    status,
    progress: 100,
    uploadLength: facts.sizeBytes,
    originalFilename: 'a.mp4',
    durationSeconds: facts.durationSeconds,
    width: 360,
    height: 640,
    probe: facts as unknown as Record<string, unknown>,
    processedAt: clock.now(),
  });
  await storage.putFile(`submissions/${row.id}/original`, file);
  await storage.putFile(`submissions/${row.id}/poster.jpg`, file);
  await submissionsRepo.update(row.id, {
    outputs: { original: `submissions/${row.id}/original`, poster: `submissions/${row.id}/poster.jpg`, master: `submissions/${row.id}/hls/master.m3u8` },
  });
  return { id: row.id, contributor: u };
}

const put = (url: string, payload: unknown, lang = 'zh-CN') =>
  ctx.app.inject({ method: 'PUT', url, headers: { cookie: editor.cookie, 'accept-language': lang }, payload: payload as object });

describe('packaging per channel', { timeout: 120_000 }, () => {
  it('keeps each channel within its limits and takes the cover from candidate frames', async () => {
    const v = await adopted();
    const covers = (await ctx.app.inject({ method: 'GET', url: `/api/desk/submissions/${v.id}/covers`, headers: { cookie: editor.cookie } })).json().covers;
    expect(covers).toHaveLength(6);
    const img = await ctx.app.inject({ method: 'GET', url: covers[2].url, headers: { cookie: editor.cookie } });
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect(covers.map((c: { atSeconds: number }) => c.atSeconds)).toEqual([...covers.map((c: { atSeconds: number }) => c.atSeconds)].sort((a, b) => a - b));

    const tooLong = await put(`/api/desk/submissions/${v.id}/packages/toutiao`, { headline: '一'.repeat(31), summary: '', tags: [] });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error).toEqual({ code: 'package.length', message: 'toutiao 的 headline 需要 5–30 个字，现在是 31 个。' });
    expect((await put(`/api/desk/submissions/${v.id}/packages/toutiao`, { headline: '早餐', tags: [] })).json().error.code).toBe('package.length');
    const otherCover = await put(`/api/desk/submissions/${v.id}/packages/app`, {
      headline: '成都的早晨',
      coverKey: 'submissions/00000000-0000-4000-8000-000000000000/poster.jpg',
    });
    expect(otherCover.json().error.code).toBe('package.bad_cover');

    const ok = await put(`/api/desk/submissions/${v.id}/packages/weibo`, {
      headline: '成都人的早餐有多丰盛',
      summary: '一碗豆花、两个锅盔，拍客带你逛成都早市。',
      tags: ['成都', '美食'],
      coverKey: covers[3].key,
      credit: '拍客 王小明',
    });
    expect(ok.statusCode).toBe(200);
    await put(`/api/desk/submissions/${v.id}/packages/wechat`, { headline: '成都早餐地图', summary: '跟着拍客吃遍早市', credit: '拍客' });
    const list = (await ctx.app.inject({ method: 'GET', url: `/api/desk/submissions/${v.id}/packages`, headers: { cookie: editor.cookie } })).json().packages;
    expect(list.map((p: { channel: string }) => p.channel)).toEqual(['wechat', 'weibo']);
    expect(list[1]).toMatchObject({ headline: '成都人的早餐有多丰盛', tags: ['成都', '美食'], coverUrl: `/api/media/${covers[3].key}` });
  });

  it('packages only adopted videos, and only for the desk', async () => {
    const pending = await adopted('in_review');
    expect((await put(`/api/desk/submissions/${pending.id}/packages/app`, { headline: 'x' })).json().error.code).toBe('desk.not_adopted');
    const v = await adopted();
    const res = await ctx.app.inject({
      method: 'PUT',
      url: `/api/desk/submissions/${v.id}/packages/app`,
      headers: { cookie: v.contributor.cookie },
      payload: { headline: 'mine' },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('daily pick (拍客·每日必看)', { timeout: 120_000 }, () => {
  it('schedules one adopted video per Shanghai day ahead of time; the public sees it from its day on', async () => {
    const today = await adopted();
    const tomorrow = await adopted();
    expect((await put('/api/desk/daily-picks/2026-11-26', { submissionId: today.id, headline: '今日必看：成都早餐' })).statusCode).toBe(200);
    expect((await put('/api/desk/daily-picks/2026-11-27', { submissionId: tomorrow.id, headline: '明日必看' })).statusCode).toBe(200);
    expect((await put('/api/desk/daily-picks/2026-11-25', { submissionId: today.id, headline: '昨天' }, 'en')).json().error).toEqual({
      code: 'daily_pick.past_day',
      message: 'Days in the past cannot be changed.',
    });
    const pending = await adopted('in_review');
    expect((await put('/api/desk/daily-picks/2026-11-28', { submissionId: pending.id, headline: 'x' })).json().error.code).toBe('desk.not_adopted');

    const pub = (await ctx.app.inject({ method: 'GET', url: '/api/daily-picks' })).json().picks;
    expect(pub.map((p: { day: string }) => p.day)).toEqual(['2026-11-26']);
    // With the video's display size: the home page's player takes its shape before loading.
    expect(pub[0]).toMatchObject({ submissionId: today.id, headline: '今日必看：成都早餐', contributorName: 'Test User', width: 360, height: 640 });
    // Its media are public now; tomorrow's are not yet.
    expect((await ctx.app.inject({ method: 'GET', url: `/api/media/submissions/${today.id}/poster.jpg` })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/media/submissions/${tomorrow.id}/poster.jpg` })).statusCode).toBe(401);
    const schedule = (
      await ctx.app.inject({ method: 'GET', url: '/api/desk/daily-picks?from=2026-11-26&to=2026-12-31', headers: { cookie: editor.cookie } })
    ).json().picks;
    expect(schedule.map((p: { day: string }) => p.day)).toEqual(['2026-11-27', '2026-11-26']);

    // At 00:00 in Beijing (16:00 UTC) tomorrow's pick goes public.
    clock.set('2026-11-26T16:00:00Z');
    try {
      expect((await ctx.app.inject({ method: 'GET', url: '/api/daily-picks' })).json().picks[0].day).toBe('2026-11-27');
    } finally {
      clock.set('2026-11-26T04:00:00Z');
    }
  });
});
