import type { FastifyBaseLogger } from 'fastify';
import type { Locale } from '../../../contracts/common.js';
import type { Notice } from '../../../contracts/propagation.js';
import type { Db } from '../../db/client.js';
import type { NoticeDeliveryChannel, NoticeRow } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { translate, translateAny } from '../../lib/messages.js';
import type { Actor } from '../accounts/permissions.js';
import { SmsSendError } from '../accounts/sms/sms.provider.js';
import { MailSendError, type Mailer } from './mailer.js';
import { PushSendError, type NoticePush } from './notice.push.js';
import type { NoticeSms } from './notice.sms.js';
import type { PushRepository } from './push.repository.js';
import type { NewNotice, PropagationRepository } from './propagation.repository.js';

export interface NoticesServiceDeps {
  db: Db;
  repo: PropagationRepository;
  jobs: Pick<JobQueue, 'send'>;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** Text messages, when a platform and a notice template are configured. */
  sms: NoticeSms | null;
  /** Email, when configured (the console mailer in development). */
  mailer: Mailer | null;
  publicUrl: () => string;
  /** Web Push, when the VAPID keys are configured (notice.push.ts); null: push is off. */
  push?: NoticePush | null;
  pushRepo?: PushRepository;
}

type SmsKind = 'reach' | 'chart' | 'grand_prize' | 'publication';
/**
 * Kinds worth a text message (one template: "your video {event}"); a publication notice (one per
 * channel) stays in the app and email, and so do the decisions (app, push, email).
 */
const SMS_KINDS = new Set<NoticeRow['kind']>(['reach', 'chart', 'grand_prize']);

/** A claimed send older than this was abandoned by a job that died mid-send. */
const STALE_CLAIM_MS = 5 * 60_000;

const CHANNEL_NAMES: Record<string, Record<Locale, string>> = {
  app: { 'zh-CN': '拍客客户端', en: 'the Paike app' },
  weibo: { 'zh-CN': '微博', en: 'Weibo' },
  wechat: { 'zh-CN': '微信公众号', en: 'WeChat' },
  toutiao: { 'zh-CN': '头条号', en: 'Toutiao' },
  penguin: { 'zh-CN': '企鹅号', en: 'Penguin (QQ)' },
  kiosk: { 'zh-CN': '电子阅报栏', en: 'kiosk screens' },
};

/** 10000 → "1 万" / "10,000"; 10,000,000 → "1000 万" / "10 million". */
export function formatCount(n: number, locale: Locale): string {
  if (locale === 'zh-CN') return n >= 10_000 && n % 10_000 === 0 ? `${n / 10_000} 万` : String(n);
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000} million`;
  return n.toLocaleString('en-US');
}

/** Integer fen as yuan with two decimals, e.g. 10050 → "100.50". */
export function yuanOf(fen: number): string {
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The notice's parameters as a sentence shows them, in the recipient's language. */
function displayParams(n: Pick<NoticeRow, 'kind' | 'params'>, locale: Locale): Record<string, string | number> {
  const { params } = n;
  const out: Record<string, string | number> = { title: '', ...params };
  if (typeof params.milestone === 'number') out.milestone = formatCount(params.milestone, locale);
  if (typeof params.channel === 'string') out.channel = CHANNEL_NAMES[params.channel]?.[locale] ?? params.channel;
  if (typeof params.rewardFen === 'number') out.rewardYuan = yuanOf(params.rewardFen);
  if (typeof params.amountFen === 'number') out.amountYuan = yuanOf(params.amountFen);
  if (typeof params.prizeFen === 'number') out.prizeYuan = yuanOf(params.prizeFen);
  // A rejection stores the editor's reason as a message code (submissions.rejection_code) so
  // each reader gets it in their own language; the editor's free-text note stays as written.
  if (n.kind === 'rejected') out.reason = translateAny(String(params.reasonCode ?? 'desk.reason.other'), locale, { note: params.note ?? '' });
  if (n.kind === 'regraded') {
    const diff = typeof params.diffFen === 'number' ? params.diffFen : 0;
    out.diff =
      diff === 0
        ? translate('notice.regraded.same', locale)
        : translate(diff > 0 ? 'notice.regraded.up' : 'notice.regraded.down', locale, { yuan: yuanOf(Math.abs(diff)) });
  }
  // An assignment change is stored as a message code so each reader gets it in their own language.
  if (n.kind === 'assignment_changed' && typeof params.changeText === 'string' && params.changeText.startsWith('command.'))
    out.changeText = translateAny(params.changeText, locale);
  if (n.kind === 'payout_failed' && !params.reason) out.reason = translate('notice.payout_failed.no_reason', locale);
  return out;
}

export function noticeText(n: Pick<NoticeRow, 'kind' | 'params'>, locale: Locale): string {
  // A chart notice with a prize says the prize (the chart kind predates the amount in its text).
  const code = n.kind === 'chart' && typeof n.params.prizeFen === 'number' && n.params.prizeFen > 0 ? 'notice.chart_prize' : (`notice.${n.kind}` as const);
  return translate(code, locale, displayParams(n, locale));
}

/** Where a notice leads in the web app (the push notification's click, the email's link). */
export function noticePath(n: Pick<NoticeRow, 'kind' | 'submissionId'> & Partial<Pick<NoticeRow, 'params'>>): string {
  // Assignment notices (issue 15, part assign) lead to the phone's task page.
  if (n.kind.startsWith('assignment_') && typeof n.params?.assignmentId === 'string') return `/tasks/${n.params.assignmentId}`;
  if (n.kind === 'lending_offered' && typeof n.params?.titleId === 'string') return `/lend/${n.params.titleId}`;
  if (n.submissionId) return `/submissions/${n.submissionId}`;
  if (n.kind.startsWith('payout_') || n.kind.startsWith('rain_')) return '/earnings';
  return '/notices';
}

export function presentNotice(n: NoticeRow, locale: Locale): Notice {
  return {
    id: n.id,
    kind: n.kind,
    submissionId: n.submissionId,
    params: n.params,
    text: noticeText(n, locale),
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
  };
}

/**
 * Notices to contributors ("你火了"): created once per dedupe key inside the transaction of
 * whatever caused them, shown in the app, and sent by SMS and email by the `notices.deliver`
 * job, each channel at most once per notice.
 */
export function createNoticesService(deps: NoticesServiceDeps) {
  const { repo, jobs, clock, logger, sms, mailer } = deps;
  const push = deps.push ?? null;
  const pushRepo = deps.pushRepo;

  /**
   * Creates a notice in the caller's transaction unless its dedupe key exists, and then (only
   * then) queues its delivery in the same transaction. Returns the notice when it is new.
   * A notice about a video gets the video's title when `params.title` is absent.
   */
  async function notify(input: NewNotice, tx: Db): Promise<NoticeRow | undefined> {
    let params = input.params;
    if (input.submissionId && params.title === undefined) {
      const info = await repo.getSubmissionInfo(input.submissionId, tx);
      if (info) params = { ...params, title: info.title };
    }
    const made = await repo.createNotice({ ...input, params }, tx);
    if (made) await jobs.send('notices.deliver', { noticeId: made.id }, { tx, singletonKey: made.id });
    return made;
  }

  async function list(actor: Actor, q: { limit: number; before?: string }, locale: Locale) {
    const rows = await repo.listNotices({ userId: actor.id, limit: q.limit, before: q.before });
    return { notices: rows.map((n) => presentNotice(n, locale)), unread: await repo.countUnread(actor.id) };
  }

  /** Marks one of the actor's own notices read; anyone else's is "not found" (its existence is not revealed). */
  async function markRead(actor: Actor, id: string, locale: Locale) {
    const row = await repo.markRead({ id, userId: actor.id, at: clock.now() });
    if (!row) throw new AppError('notice.not_found');
    return { notice: presentNotice(row, locale), unread: await repo.countUnread(actor.id) };
  }

  /** The browser's subscription (PushSubscription.toJSON()) for the actor; the endpoint must be a configured push service. */
  async function subscribe(actor: Actor, sub: { endpoint: string; keys: { p256dh: string; auth: string } }) {
    if (!push || !pushRepo) throw new AppError('push.not_configured', {}, { status: 404 });
    push.checkEndpoint(sub.endpoint);
    const row = await pushRepo.upsert({ userId: actor.id, endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth, at: clock.now() });
    return { id: row.id };
  }

  /** Removes the actor's own subscription of that endpoint; 404 when they have none. */
  async function unsubscribe(actor: Actor, endpoint: string): Promise<void> {
    if (!pushRepo || !(await pushRepo.deleteOwn({ userId: actor.id, endpoint }))) throw new AppError('push.subscription_not_found');
  }

  /**
   * Pushes a notice to each of the contributor's subscriptions once (notice_push_deliveries, the
   * same claim as SMS and email). 404/410: the subscription is gone and is removed; 429, 5xx
   * and network failures are retried by the job with backoff until its last attempt.
   */
  async function pushAll(n: NoticeRow, locale: Locale, isLastAttempt: boolean): Promise<unknown> {
    if (!push || !pushRepo) return undefined;
    let retryLater: unknown;
    for (const sub of await pushRepo.list(n.userId)) {
      const now = clock.now();
      const claim = await pushRepo.claim({ noticeId: n.id, subscriptionId: sub.id, at: now });
      if (!claim) {
        const d = await pushRepo.get(n.id, sub.id);
        if (d?.status !== 'sending') continue;
        if (d.claimedAt && now.getTime() - d.claimedAt.getTime() > STALE_CLAIM_MS) {
          await pushRepo.finish({ noticeId: n.id, subscriptionId: sub.id, status: 'unknown', at: now, error: 'the job sending it stopped; not sent again' });
        } else retryLater ??= new Error(`notice ${n.id}: push to ${sub.id} is being sent by another job`);
        continue;
      }
      try {
        await push.send(
          { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
          { title: translate('notice.push.title', locale), body: noticeText(n, locale), url: noticePath(n), tag: n.id },
        );
        await pushRepo.finish({ noticeId: n.id, subscriptionId: sub.id, status: 'sent', at: clock.now() });
        await pushRepo.touch(sub.id, clock.now());
      } catch (err) {
        // The endpoint is not logged: it is a bearer address for this browser's notifications.
        if (err instanceof PushSendError && err.gone) {
          await pushRepo.delete(sub.id);
          logger.info({ noticeId: n.id, subscriptionId: sub.id, status: err.status }, 'push subscription gone; removed');
          continue;
        }
        const retryable = err instanceof PushSendError ? err.retryable : !(err instanceof AppError);
        const final = !retryable || isLastAttempt;
        const error = err instanceof Error ? err.message.slice(0, 500) : String(err);
        await pushRepo.finish({ noticeId: n.id, subscriptionId: sub.id, status: final ? 'failed' : 'retry', at: clock.now(), error });
        logger.warn({ noticeId: n.id, subscriptionId: sub.id, retryable, error }, 'push delivery failed');
        if (!final) retryLater ??= err;
      }
    }
    return retryLater;
  }

  async function sendOn(channel: NoticeDeliveryChannel, n: NoticeRow, to: { phone: string | null; email: string | null; locale: Locale }) {
    const text = noticeText(n, to.locale);
    if (channel === 'sms') {
      const event = translate(`notice.sms.${n.kind as SmsKind}`, to.locale, displayParams(n, to.locale));
      await sms!.send({ phone: to.phone!, locale: to.locale, event });
      return;
    }
    const link = `${deps.publicUrl()}${noticePath(n)}`;
    await mailer!.send({ to: to.email!, subject: text, text: `${text}\n\n${translate('notice.email.footer', to.locale, { url: link })}\n` });
  }

  /**
   * Sends a notice by SMS and email where the contributor has a phone / an address and the
   * channel is configured. Each (notice, channel) is claimed in the database before the send,
   * so concurrent or repeated jobs send it once; a retryable failure is released for the next
   * attempt (and the job fails so the queue retries it). A send whose job died after claiming
   * it is marked `unknown` and not repeated: a duplicate text costs money and trust, a missed
   * one leaves the in-app notice.
   */
  async function deliver(noticeId: string, run: { isLastAttempt: boolean } = { isLastAttempt: false }): Promise<void> {
    const n = await repo.getNotice(noticeId);
    if (!n) return;
    const to = await repo.getRecipient(n.userId);
    if (!to || to.disabled) return;
    const channels: NoticeDeliveryChannel[] = [];
    if (sms && to.phone && SMS_KINDS.has(n.kind)) channels.push('sms');
    if (mailer && to.email) channels.push('email');
    let retryLater: unknown;
    for (const channel of channels) {
      const now = clock.now();
      const claim = await repo.claimDelivery({ noticeId, channel, at: now });
      if (!claim) {
        const d = await repo.getDelivery(noticeId, channel);
        if (d?.status !== 'sending') continue;
        if (d.claimedAt && now.getTime() - d.claimedAt.getTime() > STALE_CLAIM_MS) {
          await repo.finishDelivery({ noticeId, channel, status: 'unknown', at: now, error: 'the job sending it stopped; not sent again' });
        } else retryLater ??= new Error(`notice ${noticeId}: ${channel} is being sent by another job`);
        continue;
      }
      try {
        await sendOn(channel, n, to);
        await repo.finishDelivery({ noticeId, channel, status: 'sent', at: clock.now() });
      } catch (err) {
        const retryable = err instanceof SmsSendError || err instanceof MailSendError ? err.retryable : true;
        const final = !retryable || run.isLastAttempt;
        const error = err instanceof Error ? err.message.slice(0, 500) : String(err);
        await repo.finishDelivery({ noticeId, channel, status: final ? 'failed' : 'retry', at: clock.now(), error });
        logger.warn({ noticeId, channel, retryable, error }, 'notice delivery failed');
        if (!final) retryLater ??= err;
      }
    }
    const pushRetry = await pushAll(n, to.locale, run.isLastAttempt);
    retryLater ??= pushRetry;
    if (retryLater) throw retryLater;
  }

  return { notify, list, markRead, deliver, subscribe, unsubscribe, pushPublicKey: () => push?.publicKey ?? null };
}

export type NoticesService = ReturnType<typeof createNoticesService>;
