import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmsSendError } from '../accounts/sms/sms.provider.js';
import { createTestContext, signUp, type TestContext } from '../../testing/harness.js';
import { noticesDeliverJob } from './jobs/notices-deliver.job.js';
import { MailSendError, type MailMessage, type Mailer } from './mailer.js';
import type { NoticeSms, NoticeSmsMessage } from './notice.sms.js';
import { createNoticesService, formatCount } from './notices.service.js';
import { propagationFixtures } from './propagation.fixtures.js';
import { createPropagationRepository } from './propagation.repository.js';

let ctx: TestContext;
let fx: ReturnType<typeof propagationFixtures>;
let campaignId: string;
let seq = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  fx = propagationFixtures(ctx);
  campaignId = await fx.campaign();
}, 120_000);
afterAll(async () => {
  await ctx?.close();
});

const services = () => ctx.runtime.services;
const db = () => services().database.db;

/** Creates a notice the way other modules do: inside their own transaction. */
function notify(q: {
  userId: string;
  kind?: 'reach' | 'chart' | 'grand_prize' | 'publication';
  submissionId?: string | null;
  params?: Record<string, string | number>;
}) {
  const key = `test:${++seq}`;
  return db().transaction((tx) =>
    services().notices.notify(
      { userId: q.userId, kind: q.kind ?? 'reach', submissionId: q.submissionId ?? null, params: q.params ?? { milestone: 10_000 }, dedupeKey: key },
      tx,
    ),
  );
}

async function jobsFor(noticeId: string): Promise<number> {
  const schema = ctx.config.DATABASE_SCHEMA === 'public' ? 'pgboss' : `${ctx.config.DATABASE_SCHEMA}_pgboss`;
  const { rows } = await services().database.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${schema}.job WHERE name = 'notices.deliver' AND data->>'noticeId' = $1`,
    [noticeId],
  );
  return rows[0]!.n;
}

describe('notify', () => {
  it('creates a notice once per dedupe key, fills in the video’s title, and queues one delivery', async () => {
    const userId = await fx.contributor();
    const video = await fx.video({ userId, campaignId, title: '外婆的灶台' });
    const input = { userId, kind: 'chart' as const, submissionId: video, params: { rank: 3, week: '2030-W05' }, dedupeKey: `chart:${video}:2030-W05` };
    const first = await db().transaction((tx) => services().notices.notify(input, tx));
    const second = await db().transaction((tx) => services().notices.notify({ ...input, params: { rank: 1, week: '2030-W05' } }, tx));
    expect(first).toMatchObject({ kind: 'chart', params: { rank: 3, week: '2030-W05', title: '外婆的灶台' } });
    expect(second).toBeUndefined();
    expect(await jobsFor(first!.id)).toBe(1);
    // A notice in a transaction that rolls back leaves neither the notice nor its job.
    await expect(
      db().transaction(async (tx) => {
        await services().notices.notify({ ...input, dedupeKey: 'rolled-back' }, tx);
        throw new Error('the caller failed');
      }),
    ).rejects.toThrow('the caller failed');
    expect(await fx.query(sql`SELECT 1 FROM notices WHERE dedupe_key = 'rolled-back'`)).toHaveLength(0);
  });
});

describe('GET /api/me/notices and POST /api/me/notices/:id/read', () => {
  it('shows a contributor their own notices, newest first, in their language, with the unread count', async () => {
    const me = await signUp(ctx.app, { campaignId });
    const someoneElse = await signUp(ctx.app, { campaignId });
    const video = await fx.video({ userId: me.user.id, campaignId, title: 'Noodles' });
    const a = await notify({ userId: me.user.id, submissionId: video, params: { milestone: 100_000 } });
    const b = await notify({ userId: me.user.id, kind: 'publication', submissionId: video, params: { channel: 'weibo' } });
    await notify({ userId: someoneElse.user.id });
    // Distinct creation times, so the order is the one a contributor sees.
    await db().execute(sql`UPDATE notices SET created_at = created_at - interval '1 minute' WHERE id = ${a!.id}`);
    // Two notices of one transaction (two milestones at once) share a creation time; paging keeps both.
    const [c, d] = await db().transaction(async (tx) => [
      await services().notices.notify(
        { userId: me.user.id, kind: 'reach', submissionId: video, params: { milestone: 10_000 }, dedupeKey: `twin:${video}:1` },
        tx,
      ),
      await services().notices.notify(
        { userId: me.user.id, kind: 'reach', submissionId: video, params: { milestone: 1_000_000 }, dedupeKey: `twin:${video}:2` },
        tx,
      ),
    ]);
    await db().execute(sql`UPDATE notices SET created_at = created_at - interval '2 minutes' WHERE id IN (${c!.id}, ${d!.id})`);

    const zh = await ctx.app.inject({ method: 'GET', url: '/api/me/notices', headers: { cookie: me.cookie, 'accept-language': 'zh-CN' } });
    expect(zh.statusCode, zh.body).toBe(200);
    expect(zh.json().unread).toBe(4);
    expect(
      zh
        .json()
        .notices.slice(0, 2)
        .map((n: { id: string; text: string }) => [n.id, n.text]),
    ).toEqual([
      [b!.id, '《Noodles》已在微博发布。'],
      [a!.id, '你火了！《Noodles》的传播量突破 10 万。'],
    ]);
    // Page by page, one at a time: every notice once.
    const seen: string[] = [];
    for (let before: string | undefined; ;) {
      const page = await ctx.app.inject({ method: 'GET', url: `/api/me/notices?limit=1${before ? `&before=${before}` : ''}`, headers: { cookie: me.cookie } });
      const got = page.json().notices as { id: string }[];
      if (!got.length) break;
      seen.push(got[0]!.id);
      before = got[0]!.id;
    }
    expect(seen.slice(0, 2)).toEqual([b!.id, a!.id]);
    expect(new Set(seen)).toEqual(new Set([a!.id, b!.id, c!.id, d!.id]));
    const en = await ctx.app.inject({ method: 'GET', url: '/api/me/notices?limit=1', headers: { cookie: me.cookie, 'accept-language': 'en' } });
    expect(en.json().notices).toEqual([
      expect.objectContaining({ id: b!.id, kind: 'publication', submissionId: video, readAt: null, text: '“Noodles” is now live on Weibo.' }),
    ]);
    const page2 = await ctx.app.inject({
      method: 'GET',
      url: `/api/me/notices?limit=1&before=${en.json().notices[0].id}`,
      headers: { cookie: me.cookie, 'accept-language': 'en' },
    });
    expect(page2.json().notices.map((n: { text: string }) => n.text)).toEqual(['You’re taking off! “Noodles” has passed 100,000 views.']);

    const theirs = await ctx.app.inject({ method: 'GET', url: '/api/me/notices', headers: { cookie: someoneElse.cookie } });
    expect(theirs.json().notices).toHaveLength(1);
    expect(theirs.json().notices[0].id).not.toBe(a!.id);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me/notices' })).statusCode).toBe(401);
  });

  it('only the owner can mark a notice read; anyone else gets 404', async () => {
    const me = await signUp(ctx.app, { campaignId });
    const other = await signUp(ctx.app, { campaignId });
    const n = await notify({ userId: me.user.id });
    await notify({ userId: me.user.id });
    const url = `/api/me/notices/${n!.id}/read`;

    const stranger = await ctx.app.inject({ method: 'POST', url, headers: { cookie: other.cookie, 'accept-language': 'en' } });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json().error).toEqual({ code: 'notice.not_found', message: 'No such notice.' });
    expect((await ctx.app.inject({ method: 'POST', url })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/me/notices/nope/read', headers: { cookie: me.cookie } })).statusCode).toBe(400);

    const read = await ctx.app.inject({ method: 'POST', url, headers: { cookie: me.cookie } });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().unread).toBe(1);
    const readAt = read.json().notice.readAt;
    expect(readAt).toEqual(expect.any(String));
    // Reading again keeps the first read time.
    const again = await ctx.app.inject({ method: 'POST', url, headers: { cookie: me.cookie } });
    expect(again.json()).toMatchObject({ unread: 1, notice: { readAt } });
    const [row] = await fx.query<{ read_at: Date | null }>(sql`SELECT read_at FROM notices WHERE id = ${n!.id}`);
    expect(row!.read_at).not.toBeNull();
  });

  it('formats milestones for people', () => {
    expect(formatCount(10_000_000, 'zh-CN')).toBe('1000 万');
    expect(formatCount(10_000_000, 'en')).toBe('10 million');
    expect(formatCount(10_000, 'en')).toBe('10,000');
  });
});

describe('delivery by SMS and email', () => {
  function recordingSms() {
    const sent: NoticeSmsMessage[] = [];
    const failures: Error[] = [];
    const sms: NoticeSms = {
      name: 'aliyun',
      async send(msg) {
        await new Promise((r) => setTimeout(r, 5));
        const f = failures.shift();
        if (f) throw f;
        sent.push(msg);
      },
    };
    return { sms, sent, failures };
  }
  function recordingMailer() {
    const sent: MailMessage[] = [];
    const failures: Error[] = [];
    const mailer: Mailer = {
      name: 'smtp',
      async send(msg) {
        const f = failures.shift();
        if (f) throw f;
        sent.push(msg);
      },
    };
    return { mailer, sent, failures };
  }
  function deliveryService(sms: NoticeSms | null, mailer: Mailer | null) {
    return createNoticesService({
      db: db(),
      repo: createPropagationRepository(db()),
      jobs: services().jobs,
      clock: services().clock,
      logger: pino({ level: 'silent' }),
      sms,
      mailer,
      publicUrl: () => 'https://paike.example',
    });
  }
  async function deliveries(noticeId: string) {
    return fx.query<{ channel: string; status: string; attempts: number }>(
      sql`SELECT channel, status, attempts FROM notice_deliveries WHERE notice_id = ${noticeId} ORDER BY channel`,
    );
  }
  const run = (isLastAttempt = false) => ({ jobId: 'test', attempt: 1, isLastAttempt });

  it('sends one text and one email per notice, however often and however concurrently the job runs', async () => {
    const { sms, sent } = recordingSms();
    const mail = recordingMailer();
    const notices = deliveryService(sms, mail.mailer);
    const userId = await fx.contributor({ phone: '+8613800138001' });
    const video = await fx.video({ userId, campaignId, title: '回家的路' });
    const n = await notify({ userId, submissionId: video, params: { milestone: 1_000_000 } });
    const svc = { ...services(), notices };
    await Promise.all(Array.from({ length: 4 }, () => noticesDeliverJob.handle({ noticeId: n!.id }, svc, run()).catch(() => undefined)));
    await noticesDeliverJob.handle({ noticeId: n!.id }, svc, run());
    expect(sent).toEqual([{ phone: '+8613800138001', locale: 'zh-CN', event: '传播量突破 100 万' }]);
    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]!.subject).toBe('你火了！《回家的路》的传播量突破 100 万。');
    expect(mail.sent[0]!.text).toContain(`https://paike.example/submissions/${video}`);
    expect(await deliveries(n!.id)).toEqual([
      { channel: 'email', status: 'sent', attempts: 1 },
      { channel: 'sms', status: 'sent', attempts: 1 },
    ]);
  });

  it('texts only contributors with a phone, and not for publication notices', async () => {
    const { sms, sent } = recordingSms();
    const notices = deliveryService(sms, null);
    const noPhone = await fx.contributor();
    const withPhone = await fx.contributor({ phone: '+8613800138002', locale: 'en' });
    const a = await notify({ userId: noPhone });
    const b = await notify({ userId: withPhone, kind: 'publication', params: { channel: 'app', title: 'x' } });
    const c = await notify({ userId: withPhone, kind: 'chart', params: { rank: 2, week: '2030-W06', title: 'x' } });
    for (const n of [a, b, c]) await notices.deliver(n!.id);
    expect(sent).toEqual([{ phone: '+8613800138002', locale: 'en', event: 'is #2 on the weekly chart' }]);
  });

  it('a retryable failure is retried by the next run and still sends once; a permanent one is not retried', async () => {
    const { sms, sent, failures } = recordingSms();
    const notices = deliveryService(sms, null);
    const userId = await fx.contributor({ phone: '+8613800138003' });
    const n = await notify({ userId });
    failures.push(new SmsSendError('aliyun: Throttling.User', true, { providerCode: 'Throttling.User' }));
    await expect(notices.deliver(n!.id, run())).rejects.toThrow('Throttling');
    expect(await deliveries(n!.id)).toEqual([{ channel: 'sms', status: 'retry', attempts: 1 }]);
    await notices.deliver(n!.id, run());
    await notices.deliver(n!.id, run());
    expect(sent).toHaveLength(1);
    expect(await deliveries(n!.id)).toEqual([{ channel: 'sms', status: 'sent', attempts: 2 }]);

    const m = await notify({ userId });
    failures.push(new SmsSendError('aliyun: isv.MOBILE_NUMBER_ILLEGAL', false));
    await notices.deliver(m!.id, run());
    await notices.deliver(m!.id, run());
    expect(await deliveries(m!.id)).toEqual([{ channel: 'sms', status: 'failed', attempts: 1 }]);
    expect(sent).toHaveLength(1);

    // Out of attempts: a retryable failure is final too.
    const mail = recordingMailer();
    const last = deliveryService(null, mail.mailer);
    const k = await notify({ userId });
    mail.failures.push(new MailSendError('SMTP RCPT: 451 try later', true));
    await last.deliver(k!.id, run(true));
    expect(await deliveries(k!.id)).toEqual([{ channel: 'email', status: 'failed', attempts: 1 }]);
  });

  it('a send whose job died after claiming it is not sent again', async () => {
    const { sms, sent } = recordingSms();
    const notices = deliveryService(sms, null);
    const userId = await fx.contributor({ phone: '+8613800138004' });
    const n = await notify({ userId });
    const claimedAt = new Date(services().clock.now().getTime() - 60_000);
    await db().execute(
      sql`INSERT INTO notice_deliveries (notice_id, channel, status, attempts, claimed_at) VALUES (${n!.id}, 'sms', 'sending', 1, ${claimedAt})`,
    );
    // Claimed a minute ago: maybe still sending; the job tries again later.
    await expect(notices.deliver(n!.id)).rejects.toThrow('being sent by another job');
    await db().execute(sql`UPDATE notice_deliveries SET claimed_at = ${new Date(claimedAt.getTime() - 10 * 60_000)} WHERE notice_id = ${n!.id}`);
    await notices.deliver(n!.id);
    expect(await deliveries(n!.id)).toEqual([{ channel: 'sms', status: 'unknown', attempts: 1 }]);
    expect(sent).toEqual([]);
  });
});
