import { hashKioskKey } from '../distribution/kiosk.service.js';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { BeaconChannel, ViewBeaconInput } from '../../../contracts/propagation.js';
import type { Db } from '../../db/client.js';
import type { KioskScreenRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { BeaconRow, LiveWindow, PropagationRepository } from './propagation.repository.js';

/** Late plays (an offline app, a kiosk back on the network) count in their own hour up to this old. */
export const LATE_LIMIT_HOURS = 48;
/** A client clock this far ahead is taken as now; further ahead is refused. */
const FUTURE_SKEW_MS = 5 * 60_000;
const HOUR_MS = 3600_000;
const LIVE_CACHE_MS = 5000;
const KIOSK_CACHE_MS = 60_000;
const KIOSK_TOUCH_MS = 60_000;
const CACHE_MAX = 100_000;

export const VIEWER_COOKIE = 'pk_vid';
// 22 base64url characters of randomness, then `.` and the hour (hours since the epoch) it was
// issued in; cookies from before the hour suffix are plain 22 characters.
const VIEWER_COOKIE_FORMAT = /^([A-Za-z0-9_-]{22})(?:\.(\d{1,9}))?$/;

/**
 * Crawlers (a name ending in "bot" before a version or a bracket, or a "+http…" contact link,
 * which browsers never carry), link-preview fetchers, headless browsers, page-speed tools and
 * generic HTTP libraries. "bot" alone is not enough: phone models such as "CUBOT X19" have it. Native app stacks (okhttp, CFNetwork, Dalvik) are not on it: Paike's own app
 * may report through them; neither is a browser's "SogouMobileBrowser" (Sogou's crawler says "spider").
 */
const BOT_UA =
  /bot[/;)-]|bot$|\+https?:\/\/|spider|crawl|slurp|scrapy|facebookexternalhit|facebookcatalog|embedly|preview|snippet|vkshare|whatsapp|telegram|discord|slack|skypeuripreview|headless|phantomjs|puppeteer|playwright|selenium|webdriver|lighthouse|pagespeed|gtmetrix|pingdom|uptime|ptst\/|prerender|python-requests|python-urllib|aiohttp|httpx|curl\/|wget\/|libwww|go-http-client|java\/|apache-httpclient|node-fetch|undici|axios|got \(|feedfetcher|mediapartners|adsbot|bytespider|petalbot|bingpreview/i;

export interface BeaconHeaders {
  userAgent?: string;
  /** Sec-Purpose (prefetch / prerender), Purpose and X-Purpose (older prefetchers), X-Moz. */
  secPurpose?: string;
  purpose?: string;
  xPurpose?: string;
  xMoz?: string;
  kioskKey?: string;
}

/** Why a request is not counted at all (answered 204 all the same), or null for a person. */
export function notAPerson(h: BeaconHeaders): 'no_user_agent' | 'bot' | 'prefetch' | null {
  if ([h.secPurpose, h.purpose, h.xPurpose, h.xMoz].some((v) => v && /prefetch|prerender|preview/i.test(v))) return 'prefetch';
  const ua = h.userAgent?.trim();
  if (!ua) return 'no_user_agent';
  return BOT_UA.test(ua) ? 'bot' : null;
}

export interface BeaconInput {
  body: ViewBeaconInput;
  /** The signed-in user, if any. */
  userId: string | null;
  /** The `pk_vid` cookie as sent. */
  cookie: string | undefined;
  ip: string;
  headers: BeaconHeaders;
}

export interface BeaconOutcome {
  /** Recorded (a duplicate of this viewer's view in that hour is recorded as the same row). */
  recorded: boolean;
  ignored?: 'no_user_agent' | 'bot' | 'prefetch';
  /** A new `pk_vid` to set: the browser had none (or a malformed one). */
  newCookie?: string;
}

export interface BeaconsServiceDeps {
  db: Db;
  repo: PropagationRepository;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** Keys the viewer HMAC, so stored viewer ids reveal neither users, cookies nor addresses. */
  secret: string;
  /** Beacons written per statement at most; 1 writes each on its own. */
  batchMax: number;
  /** Statements in flight at once (PGlite: 1, one connection). */
  writers: number;
}

interface Pending {
  row: BeaconRow;
  resolve(): void;
  reject(err: unknown): void;
}

const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);

/**
 * Own-channel views (`POST /api/beacons/views`): one per viewer per video per hour, for videos
 * live on the app or on kiosk screens, bots and prefetches ignored. A beacon is answered only
 * once its row is committed; concurrent beacons share a statement (group commit), so a burst
 * costs a few inserts instead of one each, and nothing answered 204 is ever lost.
 */
export function createBeaconsService(deps: BeaconsServiceDeps) {
  const { repo, clock, logger } = deps;
  const liveCache = new Map<string, { w: LiveWindow | undefined; until: number }>();
  const kioskCache = new Map<string, { screen: KioskScreenRow | undefined; until: number }>();
  const kioskTouched = new Map<string, number>();

  const viewerId = (kind: 'k' | 'u' | 'c' | 'a', id: string) => createHmac('sha256', deps.secret).update(`${kind}:${id}`).digest('base64url').slice(0, 22);

  async function liveWindow(submissionId: string, channel: BeaconChannel): Promise<LiveWindow | undefined> {
    const key = `${submissionId}:${channel}`;
    const now = Date.now();
    const hit = liveCache.get(key);
    if (hit && hit.until > now) return hit.w;
    const w = await repo.getLiveWindow(submissionId, channel);
    if (liveCache.size >= CACHE_MAX) liveCache.clear();
    liveCache.set(key, { w, until: now + LIVE_CACHE_MS });
    return w;
  }

  async function kioskScreen(key: string | undefined): Promise<KioskScreenRow> {
    if (!key) throw new AppError('beacon.kiosk_key_required');
    const hash = hashKioskKey(key);
    const now = Date.now();
    let hit = kioskCache.get(hash);
    if (!hit || hit.until <= now) {
      hit = { screen: await repo.getKioskScreenByKeyHash(hash), until: now + KIOSK_CACHE_MS };
      if (kioskCache.size >= CACHE_MAX) kioskCache.clear();
      kioskCache.set(hash, hit);
    }
    if (!hit.screen) throw new AppError('beacon.kiosk_key_invalid');
    const screen = hit.screen;
    if ((kioskTouched.get(screen.id) ?? 0) + KIOSK_TOUCH_MS <= now) {
      kioskTouched.set(screen.id, now);
      void repo.touchKioskScreen(screen.id, clock.now()).catch((err: unknown) => logger.warn({ err, screen: screen.id }, 'kiosk last-seen update failed'));
    }
    return screen;
  }

  // Group commit: beacons wait here for the next statement that writes all waiting ones.
  const queue: Pending[] = [];
  let writers = 0;

  function write(row: BeaconRow): Promise<void> {
    return new Promise((resolve, reject) => {
      queue.push({ row, resolve, reject });
      if (writers < deps.writers) void drain();
    });
  }

  async function drain(): Promise<void> {
    writers++;
    try {
      while (queue.length) {
        const batch = queue.splice(0, deps.batchMax);
        try {
          await repo.createBeacons(batch.map((p) => p.row));
          for (const p of batch) p.resolve();
        } catch (err) {
          if (batch.length === 1) {
            batch[0]!.reject(err);
            continue;
          }
          // One bad row (its video deleted meanwhile) must not fail the others: each alone.
          logger.warn({ err, beacons: batch.length }, 'beacon batch failed; writing one by one');
          await Promise.all(batch.map((p) => repo.createBeacons([p.row]).then(p.resolve, p.reject)));
        }
      }
    } finally {
      writers--;
    }
  }

  /** Counts one play, or ignores it (bots, prefetches); throws for plays that cannot count. */
  async function record(input: BeaconInput): Promise<BeaconOutcome> {
    const ignored = notAPerson(input.headers);
    if (ignored) return { recorded: false, ignored };
    const { submissionId, channel } = input.body;
    const screen = channel === 'kiosk' ? await kioskScreen(input.headers.kioskKey) : undefined;

    const now = clock.now();
    let at = input.body.occurredAt ? new Date(input.body.occurredAt) : now;
    if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) throw new AppError('beacon.in_future');
    if (at > now) at = now;
    if (at.getTime() < now.getTime() - LATE_LIMIT_HOURS * HOUR_MS) throw new AppError('beacon.too_old', { hours: LATE_LIMIT_HOURS });

    const w = await liveWindow(submissionId, channel);
    const live = w && (w.status === 'live' || w.status === 'unpublishing' || (w.publishedAt && w.unpublishedAt && at < w.unpublishedAt));
    if (!w || !live) throw new AppError('beacon.not_live');
    // A play reported from before the video went out counts when it went out (clock skew on a screen).
    if (w.publishedAt && at < w.publishedAt) at = w.publishedAt;

    let viewer: string;
    let newCookie: string | undefined;
    if (screen) viewer = viewerId('k', screen.id);
    else if (input.userId) viewer = viewerId('u', input.userId);
    else {
      const byAddress = viewerId('a', `${input.ip}\n${input.headers.userAgent ?? ''}`);
      const hourIndex = Math.floor(floorHour(at).getTime() / 3600_000);
      const cookie = input.cookie ? VIEWER_COOKIE_FORMAT.exec(input.cookie) : null;
      if (cookie) {
        // In the hour the cookie was issued, the viewer's first play was counted by address and
        // browser (it had no cookie yet): keep counting that hour the same way, so a reload is
        // not a second view. From the next hour on, the cookie alone identifies the viewer.
        viewer = cookie[2] !== undefined && Number(cookie[2]) === hourIndex ? byAddress : viewerId('c', cookie[1]!);
      } else {
        // No first-party id yet: this play counts once per address and browser for the hour,
        // and the cookie set now identifies the viewer from the next hour on. A client that
        // never keeps cookies counts at most once per hour per address and browser.
        viewer = byAddress;
        newCookie = `${randomBytes(16).toString('base64url')}.${hourIndex}`;
      }
    }
    await write({ submissionId, channel, viewer, hour: floorHour(at) });
    return { recorded: true, ...(newCookie ? { newCookie } : {}) };
  }

  /** Recorded views of a video on an own channel (the own-channel adapter's `views`). */
  function viewsOf(submissionId: string, channel: BeaconChannel): Promise<number> {
    return repo.countBeacons(submissionId, channel);
  }

  return { record, viewsOf };
}

export type BeaconsService = ReturnType<typeof createBeaconsService>;

/** The viewer-id key: BEACON_SECRET, else derived from the payout secret, else (development) from DATA_DIR. */
export function beaconSecret(config: { BEACON_SECRET?: string; PAYOUT_DETAILS_KEY?: string; dataDir: string }): string {
  if (config.BEACON_SECRET) return config.BEACON_SECRET;
  if (config.PAYOUT_DETAILS_KEY) return createHmac('sha256', config.PAYOUT_DETAILS_KEY).update('paike:beacon-viewer:v1').digest('hex');
  return createHash('sha256').update(`paike-development-beacon-viewer:${config.dataDir}`).digest('hex');
}
