import { CHANNEL_LIMITS } from '../../../../contracts/packaging.limits.js';
import {
  ChannelError,
  REFRESH_MARGIN_SECONDS,
  type ChannelAdapter,
  type ChannelCredentials,
  type Checkpoint,
  type MetricsSample,
  type PublishInput,
  type PublishResult,
  type VideoMedia,
} from './channel.js';
import { callPlatform, fileBlob, type AdapterOptions, type ChannelRequest } from './http.js';

/**
 * Paike's "Toutiao" channel, spoken through ByteDance's open platform (open.douyin.com):
 * OAuth2 user tokens, chunked video upload, create_video, the video list/data endpoints for
 * crash-safe lookup and figures, and delete. See docs/channels/douyin.md for the endpoints,
 * the error-code table and the assumptions where the public docs are silent.
 */

/** The production API root (the lead puts it in config). */
export const DOUYIN_BASE_URL = 'https://open.douyin.com';

/**
 * What the admin grants on the connect page. Each endpoint checks its own scope, so a missing
 * one shows up as 2190003 (user did not authorise this API) on the first call that needs it.
 */
export const DOUYIN_SCOPES = ['user_info', 'video.create.bind', 'video.list.bind', 'video.data.bind', 'video.delete', 'data.external.item'] as const;

const MiB = 1024 * 1024;
/** Documented part rules: 5 MB minimum except the last part, 100 MB maximum, 20 MB recommended. */
export const DOUYIN_MIN_PART_BYTES = 5 * MiB;
export const DOUYIN_MAX_PART_BYTES = 100 * MiB;
const DEFAULT_PART_BYTES = 20 * MiB;
/** A video is at most 4 GB and 15 minutes long (2190005 / 2190006 otherwise). */
export const DOUYIN_MAX_VIDEO_BYTES = 4 * 1024 * MiB;
export const DOUYIN_MAX_DURATION_SECONDS = 15 * 60;
/** create_video's `text` (title, #topics#, @mentions) is at most 1000 characters. */
export const DOUYIN_TEXT_MAX_CHARS = 1000;
/** /data/external/item/* only answers for items created in the last 30 days. */
const ITEM_DATA_WINDOW_MS = 30 * 86_400_000;
/**
 * The refresh token (30 days) dies when the second access token (15 days each) does, and Paike
 * refreshes only as an access token nears its end. So the access token's expiry is reported no
 * later than a day before the refresh token's: that brings Paike back in time to renew the refresh
 * token (renew_refresh_token, at most 5 times) when it has less than two days left.
 */
const RENEW_REFRESH_TOKEN_WITHIN_MS = 2 * 86_400_000;
const REFRESH_TOKEN_SLACK_MS = 86_400_000;
/** How far back in the account's list a retry looks for its own post (clock skew and review delay). */
const LOOKUP_SKEW_MS = 10 * 60_000;
const LIST_PAGE_SIZE = 20;
const LIST_MAX_PAGES = 10;

// Error codes (data.error_code / extra.error_code) and what each asks of Paike.
/** Access token expired or invalid: refresh once and repeat the call, then give up. */
const TOKEN_CODES = new Set([2190002, 2190008, 10008, 28001003, 28001008]);
/** Only a human can fix these: reconnect the account, or an admin fixes the app's key or permissions. */
// prettier-ignore
const AUTH_CODES = new Set([
  ...TOKEN_CODES,
  10003, 10004, 10006, 10007, 10010, 10013, 10014, 10015, 10020, 2100007, 2190003, 2190004, 2190015, 2190016,
  28001012, 28001014, 28001015, 28001016, 28001018, 28001019, 28001020, 28001021, 28001042, 28001045, 28001056, 28004020,
]);
const RATE_CODES = new Set([2190001, 28003017, 28003018, 28001052]);
/** Quotas are per day; they come back at 00:00 Beijing time. */
const DAILY_QUOTA_CODES = new Set([2190001, 28003017]);
/** The platform refused this request or this content; retrying the same thing will not help. */
const CONTENT_CODES = new Set([10002, 10005, 2100005, 2100009, 2111001, 2113001, 2190005, 2190006, 2190007, 28001007, 28001046, 28001047]);
const PARAM_INVALID_CODES = new Set([2100005, 28001007]);
const INVALID_VIDEO_ID = 2190007;

export interface DouyinAdapterOptions extends AdapterOptions {
  /** Bytes per upload part (clamped to the documented 5–100 MB); tests use the 5 MB minimum. */
  partSizeBytes?: number;
}

interface PlatformError {
  code: number;
  description: string;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
/** The docs' examples give some numbers as strings ("expires_in": "86400"). */
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);

function platformError(body: Json): PlatformError | null {
  const data = obj(body.data);
  const extra = obj(body.extra);
  const code = num(data.error_code) || num(extra.error_code) || 0;
  if (!code) return null;
  return { code, description: str(data.description) || str(extra.description) || str(extra.sub_description) || 'no description' };
}

/** Tokens never reach a message, even if a platform description echoes one. */
function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text.replace(/\b(act|rft|clt)\.[A-Za-z0-9*._-]+/g, '[token]');
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('[token]');
  return out;
}

/** Seconds until the next 00:00 in Asia/Shanghai (UTC+8, no daylight saving). */
function secondsToBeijingMidnight(now: Date): number {
  const day = 86_400;
  const local = Math.floor(now.getTime() / 1000) + 8 * 3600;
  return day - (local % day);
}

function classify(what: string, err: PlatformError, now: Date, secrets: (string | undefined)[]): ChannelError {
  const message = redact(`toutiao ${what}: ${err.code} ${err.description}`, secrets);
  const details = { platformCode: err.code };
  if (AUTH_CODES.has(err.code)) return new ChannelError('auth_expired', message, details);
  if (RATE_CODES.has(err.code)) {
    const retryAfterSeconds = DAILY_QUOTA_CODES.has(err.code) ? secondsToBeijingMidnight(now) : undefined;
    return new ChannelError('rate_limited', message, { ...details, retryAfterSeconds });
  }
  if (CONTENT_CODES.has(err.code)) return new ChannelError('content_rejected', message, details);
  // 2100004 / 28001005 / 28001006 / 10001 (system busy, network) and codes we do not know: retry.
  return new ChannelError('transient', message, details);
}

/** Clips to `max` characters (code points, as the platform counts a Chinese character as one). */
function clip(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * create_video has one `text`: the package's headline as the title line, the summary, the tags as
 * Toutiao-style #话题# and the contributor credit, each within Toutiao's limits, the whole within
 * the platform's 1000 characters.
 */
export function composeDouyinText(input: Pick<PublishInput, 'headline' | 'summary' | 'tags' | 'credit'>): string {
  const limits = CHANNEL_LIMITS.toutiao;
  const headline = clip(input.headline.trim(), limits.headline[1]);
  const summary = clip(input.summary.trim(), limits.summary);
  const tags = input.tags
    .map((t) => t.replace(/[#\s]/g, ''))
    .filter(Boolean)
    .slice(0, limits.tags)
    .map((t) => `#${t}#`)
    .join(' ');
  const credit = input.credit.trim() ? `拍客：${clip(input.credit.trim(), limits.credit)}` : '';
  return clip([headline, summary, tags, credit].filter(Boolean).join('\n'), DOUYIN_TEXT_MAX_CHARS);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** See RENEW_REFRESH_TOKEN_WITHIN_MS: never later than a day before the refresh token dies. */
function accessExpiry(at: number, expiresInSeconds: number, refreshTokenExpiresAt: string | undefined): string {
  const real = at + expiresInSeconds * 1000;
  const rt = refreshTokenExpiresAt ? Date.parse(refreshTokenExpiresAt) : NaN;
  const early = rt - REFRESH_TOKEN_SLACK_MS;
  // With renewals used up the refresh token cannot be saved; do not make Paike refresh in a loop.
  if (!Number.isFinite(early) || early <= at + 2 * REFRESH_MARGIN_SECONDS * 1000) return iso(real);
  return iso(Math.min(real, early));
}

export function createDouyinAdapter(opts: DouyinAdapterOptions): ChannelAdapter {
  const now = opts.now ?? (() => new Date());
  const partSize = Math.min(DOUYIN_MAX_PART_BYTES, Math.max(DOUYIN_MIN_PART_BYTES, Math.floor(opts.partSizeBytes ?? DEFAULT_PART_BYTES)));

  /** The OAuth endpoints take form-urlencoded bodies and answer `{ data, message }`. */
  async function oauth(what: string, path: string, form: Record<string, string>, secrets: string[]): Promise<Json> {
    const res = await callPlatform(opts, { method: 'POST', path, urlencoded: form });
    const err = platformError(res.body);
    if (err) {
      const classified = classify(what, err, now(), secrets);
      // A failed token call is never about content: only a human reconnect helps, unless it is
      // the platform being busy or rate limiting.
      if (classified.errorClass === 'content_rejected') throw new ChannelError('auth_expired', classified.message, classified.details);
      throw classified;
    }
    if (res.status >= 400)
      throw new ChannelError(res.status === 401 || res.status === 403 ? 'auth_expired' : 'transient', `toutiao ${what}: HTTP ${res.status}`);
    return obj(res.body.data);
  }

  async function refreshAccessToken(creds: ChannelCredentials, refreshToken: string): Promise<Json> {
    const data = await oauth('refresh_token', '/oauth/refresh_token/', { client_key: creds.appId, grant_type: 'refresh_token', refresh_token: refreshToken }, [
      creds.appSecret,
      refreshToken,
      creds.accessToken ?? '',
    ]);
    if (!str(data.access_token) || !(num(data.expires_in) > 0)) throw new ChannelError('transient', 'toutiao refresh_token: answer without access_token');
    return data;
  }

  /** One account's calls for one operation: the token in a header, refreshed at most once. */
  function openSession(creds: ChannelCredentials) {
    if (!creds.accessToken || !creds.accountId) throw new ChannelError('auth_expired', 'toutiao: the account is not connected (no access token or open_id)');
    const s = { token: creds.accessToken, refreshed: false, openId: creds.accountId };
    const secrets = () => [s.token, creds.accessToken, creds.refreshToken, creds.appSecret];

    async function refreshOnce(): Promise<void> {
      s.refreshed = true;
      if (!creds.refreshToken) throw new ChannelError('auth_expired', 'toutiao: access token expired and no refresh token is held');
      // refresh_token keeps the refresh token as it is, so this in-call token loses nothing if
      // the caller never stores it: the scheduled refreshCredentials gets the same answer.
      const data = await refreshAccessToken(creds, creds.refreshToken);
      s.token = str(data.access_token);
    }

    async function call(what: string, req: ChannelRequest): Promise<Json> {
      const expiresAt = creds.accessTokenExpiresAt ? Date.parse(creds.accessTokenExpiresAt) : NaN;
      if (!s.refreshed && Number.isFinite(expiresAt) && expiresAt <= now().getTime()) await refreshOnce();
      for (;;) {
        const res = await callPlatform(opts, { ...req, headers: { ...req.headers, 'access-token': s.token } });
        const err = platformError(res.body);
        if (err && TOKEN_CODES.has(err.code) && !s.refreshed) {
          await refreshOnce();
          continue;
        }
        if (err) throw classify(what, err, now(), secrets());
        if (res.status >= 400)
          throw new ChannelError(res.status === 401 || res.status === 403 ? 'auth_expired' : 'transient', `toutiao ${what}: HTTP ${res.status}`);
        return obj(res.body.data);
      }
    }

    return { openId: s.openId, call };
  }
  type Session = ReturnType<typeof openSession>;

  async function upload(session: Session, video: VideoMedia, checkpoint: Checkpoint): Promise<string> {
    const s = checkpoint.state;
    let uploadId = str(s.upload_id);
    let size = num(s.part_size);
    // A different rendition than the one half-uploaded (or a lost part size) cannot be resumed.
    if (uploadId && (num(s.video_bytes) !== video.bytes || !(size >= DOUYIN_MIN_PART_BYTES))) uploadId = '';
    const done = new Set(
      uploadId
        ? str(s.parts_done)
            .split(',')
            .filter(Boolean)
            .map((p) => Number(p))
        : [],
    );
    try {
      if (!uploadId) {
        const data = await session.call('init_video_part_upload', {
          method: 'POST',
          path: '/api/douyin/v1/video/init_video_part_upload/',
          query: { open_id: session.openId },
          json: {},
        });
        uploadId = str(data.upload_id);
        if (!uploadId) throw new ChannelError('transient', 'toutiao init_video_part_upload: answer without upload_id');
        size = partSize;
        await checkpoint.save({ upload_id: uploadId, part_size: size, video_bytes: video.bytes, parts_done: '' });
      }
      const parts = Math.max(1, Math.ceil(video.bytes / size));
      for (let n = 1; n <= parts; n++) {
        if (done.has(n)) continue;
        const form = new FormData();
        const start = (n - 1) * size;
        form.append('video', await fileBlob(video.path, video.mime, { start, end: Math.min(start + size, video.bytes) }), `part-${n}.mp4`);
        // URLSearchParams encodes upload_id, which the docs require (it carries + / =).
        await session.call('upload_video_part', {
          method: 'POST',
          path: '/api/douyin/v1/video/upload_video_part/',
          query: { open_id: session.openId, upload_id: uploadId, part_number: n },
          form,
          upload: true,
        });
        done.add(n);
        await checkpoint.save({ parts_done: [...done].sort((a, b) => a - b).join(',') });
      }
      const data = await session.call('complete_video_part_upload', {
        method: 'POST',
        path: '/api/douyin/v1/video/complete_video_part_upload/',
        query: { open_id: session.openId, upload_id: uploadId },
        json: {},
      });
      const videoId = str(obj(data.video).video_id);
      if (!videoId) throw new ChannelError('transient', 'toutiao complete_video_part_upload: answer without video_id');
      await checkpoint.save({ video_id: videoId });
      return videoId;
    } catch (err) {
      // The platform refused this upload session (bad part, unknown upload_id): the next attempt
      // starts a fresh one instead of repeating the refused request forever.
      if (err instanceof ChannelError && PARAM_INVALID_CODES.has(Number(err.details.platformCode))) await checkpoint.save({ upload_id: '', parts_done: '' });
      throw err;
    }
  }

  interface ListedItem {
    itemId: string;
    videoId: string;
    title: string;
    createTimeMs: number;
    shareUrl: string;
    statistics: Json;
  }

  function listedItem(v: unknown): ListedItem {
    const o = obj(v);
    return {
      itemId: str(o.item_id),
      videoId: str(o.video_id),
      title: str(o.title),
      createTimeMs: num(o.create_time) * 1000,
      shareUrl: str(o.share_url),
      statistics: obj(o.statistics),
    };
  }

  /**
   * After a crash between create_video and saving its item_id, the account's list tells whether
   * the post exists. The list is newest first, so paging stops at posts older than the attempt.
   */
  async function findOwnPost(session: Session, videoId: string, text: string, creatingAt: number): Promise<ListedItem | null> {
    let cursor = 0;
    for (let page = 0; page < LIST_MAX_PAGES; page++) {
      const data = await session.call('video_list', {
        method: 'GET',
        path: '/api/douyin/v1/video/video_list/',
        query: { open_id: session.openId, cursor, count: LIST_PAGE_SIZE },
      });
      const items = (Array.isArray(data.list) ? data.list : []).map(listedItem);
      for (const item of items) {
        if (item.videoId && item.videoId === videoId) return item;
        // Should the list ever omit video_id, our own text posted after we started creating is ours.
        if (!item.videoId && item.title === text && item.createTimeMs >= creatingAt - LOOKUP_SKEW_MS) return item;
      }
      const oldest = Math.min(...items.map((i) => i.createTimeMs));
      if (data.has_more !== true || items.length === 0 || oldest < creatingAt - LOOKUP_SKEW_MS) return null;
      cursor = num(data.cursor);
      if (!Number.isFinite(cursor)) return null;
    }
    return null;
  }

  async function videoData(session: Session, itemId: string): Promise<ListedItem | null> {
    const data = await session.call('video_data', {
      method: 'POST',
      path: '/api/douyin/v1/video/video_data/',
      query: { open_id: session.openId },
      json: { item_ids: [itemId] },
    });
    const items = (Array.isArray(data.list) ? data.list : []).map(listedItem);
    return items.find((i) => i.itemId === itemId) ?? null;
  }

  const live = (state: Checkpoint['state']): PublishResult => ({ kind: 'live', externalId: str(state.item_id), url: str(state.share_url) || null });

  return {
    channel: 'toutiao',
    // video_data is real time but counts against the app's daily quota per call; hourly keeps a
    // few hundred live posts well inside it and matches the charts' hourly series.
    metricsIntervalMinutes: 60,

    authorizeUrl(creds, redirectUri, state) {
      const url = new URL(`${opts.baseUrl}/platform/oauth/connect/`);
      url.searchParams.set('client_key', creds.appId);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', DOUYIN_SCOPES.join(','));
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      return url.toString();
    },

    async exchangeCode(creds, code, _redirectUri) {
      const at = now().getTime();
      const data = await oauth(
        'access_token',
        '/oauth/access_token/',
        { client_key: creds.appId, client_secret: creds.appSecret, code, grant_type: 'authorization_code' },
        [creds.appSecret, code],
      );
      const accessToken = str(data.access_token);
      const refreshToken = str(data.refresh_token);
      const openId = str(data.open_id);
      if (!accessToken || !refreshToken || !openId) throw new ChannelError('transient', 'toutiao access_token: answer without tokens or open_id');
      const refreshTokenExpiresAt = iso(at + num(data.refresh_expires_in) * 1000);
      return {
        ...creds,
        accessToken,
        accessTokenExpiresAt: accessExpiry(at, num(data.expires_in), refreshTokenExpiresAt),
        refreshToken,
        refreshTokenExpiresAt,
        accountId: openId,
        extra: { ...creds.extra, scope: str(data.scope) },
      };
    },

    async refreshCredentials(creds) {
      if (!creds.refreshToken) throw new ChannelError('auth_expired', 'toutiao: no refresh token is held; reconnect the account');
      const at = now().getTime();
      let refreshToken = creds.refreshToken;
      let refreshTokenExpiresAt = creds.refreshTokenExpiresAt;
      const rtExpiry = refreshTokenExpiresAt ? Date.parse(refreshTokenExpiresAt) : NaN;
      if (Number.isFinite(rtExpiry) && rtExpiry - at < RENEW_REFRESH_TOKEN_WITHIN_MS) {
        try {
          const data = await oauth('renew_refresh_token', '/oauth/renew_refresh_token/', { client_key: creds.appId, refresh_token: refreshToken }, [
            creds.appSecret,
            refreshToken,
          ]);
          if (str(data.refresh_token)) {
            refreshToken = str(data.refresh_token);
            refreshTokenExpiresAt = iso(at + num(data.expires_in) * 1000);
          }
        } catch (err) {
          // No renew permission (10004) or renewals used up (10020): the current refresh token
          // still works until its own expiry, after which refresh answers 10010 → reconnect.
          const code = err instanceof ChannelError ? Number(err.details.platformCode) : NaN;
          if (code !== 10004 && code !== 10020) throw err;
        }
      }
      const data = await refreshAccessToken(creds, refreshToken);
      const rtLeft = num(data.refresh_expires_in);
      if (rtLeft > 0) refreshTokenExpiresAt = iso(at + rtLeft * 1000);
      return {
        ...creds,
        accessToken: str(data.access_token),
        accessTokenExpiresAt: accessExpiry(at, num(data.expires_in), refreshTokenExpiresAt),
        refreshToken,
        refreshTokenExpiresAt,
        accountId: str(data.open_id) || creds.accountId,
      };
    },

    async publish(input, creds, checkpoint) {
      if (str(checkpoint.state.item_id)) return live(checkpoint.state);
      const session = openSession(creds);
      const video = await input.video({ maxBytes: DOUYIN_MAX_VIDEO_BYTES });
      if (video.durationSeconds > DOUYIN_MAX_DURATION_SECONDS)
        throw new ChannelError('content_rejected', `toutiao: the video runs ${Math.round(video.durationSeconds)} s; the platform takes at most 15 minutes`);
      if (video.bytes <= 0 || video.bytes > DOUYIN_MAX_VIDEO_BYTES)
        throw new ChannelError('content_rejected', `toutiao: the video is ${video.bytes} bytes; the platform takes 1 byte to 4 GB`);

      const videoId = str(checkpoint.state.video_id) || (await upload(session, video, checkpoint));
      const text = composeDouyinText(input);

      const creatingAt = num(checkpoint.state.creating);
      if (creatingAt > 0) {
        const found = await findOwnPost(session, videoId, text, creatingAt);
        if (found) {
          await checkpoint.save({ item_id: found.itemId, share_url: found.shareUrl, creating: 0 });
          return { kind: 'live', externalId: found.itemId, url: found.shareUrl || null };
        }
      }

      await checkpoint.save({ creating: now().getTime() });
      let itemId: string;
      try {
        const data = await session.call('create_video', {
          method: 'POST',
          path: '/api/douyin/v1/video/create_video/',
          query: { open_id: session.openId },
          json: { video_id: videoId, text, private_status: 0 },
        });
        itemId = str(data.item_id);
      } catch (err) {
        if (err instanceof ChannelError && err.details.platformCode !== undefined) {
          // The platform answered, so nothing was created: no lookup is needed next time.
          const patch: Record<string, string | number> = { creating: 0 };
          // The uploaded video is gone or expired; uploading again is safe, posting twice is not.
          if (err.details.platformCode === INVALID_VIDEO_ID) Object.assign(patch, { video_id: '', upload_id: '', parts_done: '' });
          await checkpoint.save(patch);
          if (err.details.platformCode === INVALID_VIDEO_ID) throw new ChannelError('transient', err.message, err.details);
        }
        throw err;
      }
      // Without an item_id the outcome is unknown: `creating` stays, so the retry looks first.
      if (!itemId) throw new ChannelError('transient', 'toutiao create_video: answer without item_id');
      await checkpoint.save({ item_id: itemId, creating: 0 });

      // The share link comes only from the data endpoint; the post is up whether or not we get it.
      let url: string | null = null;
      try {
        const item = await videoData(session, itemId);
        if (item?.shareUrl) {
          url = item.shareUrl;
          await checkpoint.save({ share_url: url });
        }
      } catch (err) {
        if (!(err instanceof ChannelError)) throw err;
      }
      return { kind: 'live', externalId: itemId, url };
    },

    async update() {
      throw new ChannelError('content_rejected', 'toutiao: the open platform cannot edit a posted video; unpublish and publish again');
    },

    async unpublish(ref, creds) {
      if (!ref.externalId) return;
      const session = openSession(creds);
      try {
        await session.call('video_delete', { method: 'POST', path: '/video/delete/', query: { open_id: session.openId }, json: { item_id: ref.externalId } });
      } catch (err) {
        // An item already deleted is answered as an invalid parameter; success if it is really gone.
        if (!(err instanceof ChannelError) || !PARAM_INVALID_CODES.has(Number(err.details.platformCode))) throw err;
        if (await videoData(session, ref.externalId)) throw err;
      }
    },

    async fetchMetrics(ref, creds) {
      const session = openSession(creds);
      const item = await videoData(session, ref.externalId);
      if (!item) throw new ChannelError('content_rejected', `toutiao video_data: item ${ref.externalId} is not on the account (deleted or taken down)`);
      const st = item.statistics;
      const count = (k: string) => (Number.isFinite(num(st[k])) ? num(st[k]) : null);
      const extra: Record<string, number> = {};
      for (const k of ['forward_count', 'download_count']) if (count(k) !== null) extra[k] = num(st[k]);
      if (now().getTime() - ref.publishedAt.getTime() < ITEM_DATA_WINDOW_MS) {
        try {
          const data = await session.call('item_base', {
            method: 'GET',
            path: '/data/external/item/base/',
            query: { open_id: session.openId, item_id: ref.externalId },
          });
          const avg = num(obj(data.result).avg_play_duration);
          if (Number.isFinite(avg)) extra.avg_play_duration = avg;
        } catch (err) {
          // The counts are in hand; a missing average (busy, quota, item too old) must not lose the sample.
          if (!(err instanceof ChannelError) || err.errorClass === 'auth_expired') throw err;
        }
      }
      const sample: MetricsSample = { views: count('play_count'), likes: count('digg_count'), shares: count('share_count'), comments: count('comment_count') };
      if (Object.keys(extra).length) sample.extra = extra;
      return sample;
    },
  };
}
