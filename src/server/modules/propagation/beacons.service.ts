import { hashKioskKey } from '../distribution/kiosk.service.js';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { BeaconChannel, ViewBeaconInput } from '../../../contracts/propagation.js';
import type { Db } from '../../db/client.js';
import type { KioskScreenRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { BeaconRow, LiveWindow, PropagationRepository, ViewCaps } from './propagation.repository.js';

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
// 22 base64url characters of randomness, `.`, the hour (hours since the epoch) it was issued in,
// `.`, and the server's HMAC of both (22 characters). Anything else (a made-up id, one whose
// signature does not match, the unsigned ids Paike issued before) is not a viewer id.
const VIEWER_COOKIE_FORMAT = /^([A-Za-z0-9_-]{22})\.(\d{1,9})\.([A-Za-z0-9_-]{22})$/;

const viewerCookieSignature = (secret: string, id: string, hour: string) =>
  createHmac('sha256', secret).update(`pk_vid:v2:${id}.${hour}`).digest('base64url').slice(0, 22);

/** A new signed `pk_vid` value, issued in `hourIndex` (hours since the epoch). */
export function issueViewerCookie(secret: string, hourIndex: number): string {
  const id = randomBytes(16).toString('base64url');
  return `${id}.${hourIndex}.${viewerCookieSignature(secret, id, String(hourIndex))}`;
}

function expandIPv6(ip: string): number[] | null {
  const bare = ip.split('%')[0]!;
  const halves = bare.split('::');
  if (halves.length > 2) return null;
  const part = (h: string) => (h ? h.split(':') : []);
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const groups = halves.length === 2 ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8) return null;
  return groups.map((g) => parseInt(g, 16));
}

/**
 * The address and network a view is capped by: an IPv4 address and its /24; for IPv6 the /64
 * (one host or home usually holds a whole /64, so a single /128 would cap nothing) and the /48.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is the IPv4 address.
 */
export function addressAndNetwork(ip: string): { address: string; network: string } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped ? mapped[1]! : ip;
  if (isIPv4(v4)) return { address: v4, network: `${v4.split('.').slice(0, 3).join('.')}.0/24` };
  const g = isIPv6(ip) ? expandIPv6(ip) : null;
  if (!g) return { address: ip, network: ip };
  const hex = g.map((x) => x.toString(16));
  return { address: `${hex.slice(0, 4).join(':')}::/64`, network: `${hex.slice(0, 3).join(':')}::/48` };
}

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
  /** A new `pk_vid` to set: the browser had none, or one the server did not issue. */
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
  /** Per-address and per-network caps on counted views (per video per day). */
  caps: ViewCaps;
  /**
   * Subscribes to kiosk key changes (revoked, rotated, re-paired: docs/kiosk.md), so a cached
   * key stops counting at once rather than after the cache's minute. Called on the first kiosk
   * beacon, so processes that never see one hold no subscription.
   */
  kioskKeyChanges?: (onChange: (screenId: string) => void) => Promise<void>;
}

interface Pending {
  row: BeaconRow;
  resolve(): void;
  reject(err: unknown): void;
}

const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);

/**
 * Own-channel views (`POST /api/beacons/views`): one per viewer per video per hour (the viewer:
 * a kiosk screen, a signed-in user, a viewer id this server signed, else the address), capped
 * per address and per network per day when counted, for videos
 * live on the app or on kiosk screens, bots and prefetches ignored. A beacon is answered only
 * once its row is committed; concurrent beacons share a statement (group commit), so a burst
 * costs a few inserts instead of one each, and nothing answered 204 is ever lost.
 */
export function createBeaconsService(deps: BeaconsServiceDeps) {
  const { repo, clock, logger } = deps;
  const liveCache = new Map<string, { w: LiveWindow | undefined; until: number }>();
  const kioskCache = new Map<string, { screen: KioskScreenRow | undefined; until: number }>();
  const kioskTouched = new Map<string, number>();
  let watchingKeys: Promise<void> | null = null;
  const forgetScreen = (screenId: string) => {
    for (const [hash, hit] of kioskCache) if (hit.screen?.id === screenId) kioskCache.delete(hash);
  };

  const viewerId = (kind: 'k' | 'u' | 'c' | 'a' | 'n', id: string) =>
    createHmac('sha256', deps.secret).update(`${kind}:${id}`).digest('base64url').slice(0, 22);
  const cookieSignature = (id: string, hour: string) => viewerCookieSignature(deps.secret, id, hour);

  /** The cookie's random id and issuing hour when the server signed it; null for anything else. */
  function verifiedCookie(cookie: string | undefined): { id: string; hour: number } | null {
    const m = cookie ? VIEWER_COOKIE_FORMAT.exec(cookie) : null;
    if (!m) return null;
    const want = Buffer.from(cookieSignature(m[1]!, m[2]!));
    const got = Buffer.from(m[3]!);
    return want.length === got.length && timingSafeEqual(want, got) ? { id: m[1]!, hour: Number(m[2]) } : null;
  }

  const issueCookie = (hourIndex: number) => issueViewerCookie(deps.secret, hourIndex);

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
    if (deps.kioskKeyChanges) await (watchingKeys ??= deps.kioskKeyChanges(forgetScreen));
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
    let where: Pick<BeaconRow, 'addr' | 'net'> = {};
    if (screen) viewer = viewerId('k', screen.id);
    else {
      const { address, network } = addressAndNetwork(input.ip);
      where = { addr: viewerId('a', address), net: viewerId('n', network) };
      if (input.userId) viewer = viewerId('u', input.userId);
      else {
        // The address alone, not the browser's name: a forger sets any User-Agent it likes.
        const byAddress = where.addr!;
        const hourIndex = Math.floor(floorHour(at).getTime() / 3600_000);
        const cookie = verifiedCookie(input.cookie);
        if (cookie) {
          // In the hour the cookie was issued, the viewer's first play was counted by address
          // (it had no cookie yet): keep counting that hour the same way, so a reload is not a
          // second view. From the next hour on, the cookie alone identifies the viewer.
          viewer = cookie.hour === hourIndex ? byAddress : viewerId('c', cookie.id);
        } else {
          // No id the server issued (none, made up, tampered, or an unsigned one from before):
          // this play counts at most once per address for the hour, the same 204 as any other,
          // and a signed id set now identifies the viewer from the next hour on.
          viewer = byAddress;
          // Issued in the hour it is now, not the play's (a late `occurredAt` is the client's word).
          newCookie = issueCookie(Math.floor(now.getTime() / HOUR_MS));
        }
      }
    }
    await write({ submissionId, channel, viewer, hour: floorHour(at), ...where });
    return { recorded: true, ...(newCookie ? { newCookie } : {}) };
  }

  /** Recorded views of a video on an own channel (the own-channel adapter's `views`). */
  function viewsOf(submissionId: string, channel: BeaconChannel): Promise<number> {
    return repo.countBeacons({ submissionId, channel, caps: deps.caps });
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
