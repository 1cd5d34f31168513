import { createHash, randomBytes } from 'node:crypto';
import { startFakePlatform, type FakePlatform, type FakeReply, type FakeRequest, type FakeRoute } from './fake-platform.js';

/**
 * A local Weibo open platform for contract tests: OAuth2 (authorize, access_token, get_token_info,
 * revokeoauth2), the chunked video upload (proxy/media/init + upload), statuses/share,
 * user_timeline, count and destroy, and account/rate_limit_status. Every request is checked
 * against the documented parameters and limits and refused with Weibo's own error codes and
 * texts, so an adapter that sends the wrong thing fails its tests. It deliberately does not
 * import the adapter's helpers (text counting included): a shared bug would pass both sides.
 */

export interface WeiboFakeOptions {
  /** The fake's clock (token expiry, hourly rate windows); defaults to the real one. */
  now?: () => Date;
  /** Chunk size media/init hands out, in KB (Weibo answers in KB). */
  chunkKb?: number;
  /** expires_in of issued tokens; Weibo's depends on the app's level. */
  tokenLifetimeSeconds?: number;
  /** Calls per user per app per hour (接口访问权限说明: 150 at the default level). */
  userHourlyLimit?: number;
  /** Posts per user per hour (update_status: 30). */
  postHourlyLimit?: number;
}

export interface WeiboFakeApp {
  appKey: string;
  appSecret: string;
  /** The app's 安全域名: statuses/share accepts only links on it. */
  secureDomain: string;
  redirectUri: string;
  /** Only mobile-SDK apps get refresh tokens; normal web apps do not. */
  refreshTokens?: boolean;
}

export interface WeiboFakeStatus {
  id: string;
  uid: string;
  appKey: string;
  /** The status text exactly as received. */
  status: string;
  /** As Weibo shows it: links replaced by t.cn short links. */
  text: string;
  rip: string;
  mediaId: string | null;
  createdAt: Date;
  deleted: boolean;
  counts: { reposts: number; comments: number; attitudes: number };
}

export interface WeiboFake extends FakePlatform {
  registerApp(app: WeiboFakeApp): void;
  /** An account that can grant access; the first one registered is the one "logged in" on the authorize page. */
  registerAccount(account: { uid: string; screenName?: string }): void;
  authorizeAs(uid: string): void;
  /** Tokens as if the account had granted the app access. */
  issueToken(opts: { appKey: string; uid: string; expiresInSeconds?: number; withRefreshToken?: boolean }): {
    accessToken: string;
    refreshToken?: string;
    expiresAt: Date;
  };
  expireToken(accessToken: string): void;
  /** The user removes the app's authorization (every token of the pair stops working). */
  revoke(appKey: string, uid: string): void;
  /** Sets a post's figures, lower than before included (figures do go backwards on Weibo). */
  setCounts(statusId: string, counts: Partial<WeiboFakeStatus['counts']>): void;
  /** Statuses containing the word are refused with 20021 Content is illegal. */
  rejectWord(word: string): void;
  /** Allow `n` more counted calls this hour, then answer 10023 until the hour turns; null lifts it. */
  rateLimitAfter(n: number | null): void;
  /** The next `n` requests to `path` are served (their effect happens) but the reply is lost (HTTP 502). */
  acceptThenFail(path: string, n?: number): void;
  readonly statuses: readonly WeiboFakeStatus[];
  /** The bytes a completed upload received, by file id. */
  video(fid: string): Buffer | undefined;
}

interface Token {
  accessToken: string;
  appKey: string;
  uid: string;
  createdAt: number;
  expiresAt: number;
  refreshToken?: string;
  dead: boolean;
}

interface Upload {
  fileToken: string;
  appKey: string;
  uid: string;
  name: string;
  length: number;
  check: string;
  chunkBytes: number;
  count: number;
  chunks: Map<number, Buffer>;
  fid?: string;
}

const MAX_VIDEO_BYTES = 1024 * 1024 * 1024;
const VIDEO_EXTENSIONS = ['mp4', 'avi', 'wmv', 'mpeg', 'mpg', '3gp', 'ts', 'flv', 'mov'];
const URLS = /https?:\/\/[a-zA-Z0-9]+(?:\.[a-zA-Z0-9]+)+[-A-Za-z0-9_$.+!*()/\\,:;@&=?~#%]*/g;
const MD5 = /^[0-9a-f]{32}$/i;

/** Weibo's count (its web composer's rule): 2 bytes per non-ASCII char, links as 20 bytes, halved and rounded up. */
function weiboCount(text: string): number {
  const bytes = (s: string) => [...s].reduce((n, ch) => n + ((ch.codePointAt(0) ?? 0) > 0x7f ? 2 : 1), 0);
  let total = 0;
  const rest = text.replace(URLS, (url) => {
    if (/^https?:\/\/t\.cn\//.test(url)) return url;
    const b = bytes(url);
    const weiboLink = /^https?:\/\/(?:weibo\.com|weibo\.cn)/.test(url);
    total += weiboLink && b <= 41 ? b : b <= 140 ? 20 : b - 140 + 20;
    return '';
  });
  return Math.ceil((total + bytes(rest)) / 2);
}

/** Weibo's created_at: "Wed Oct 24 23:49:17 +0800 2012", in Beijing time. */
function weiboDate(d: Date): string {
  const t = new Date(d.getTime() + 8 * 3600_000);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][t.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][t.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${day} ${month} ${p(t.getUTCDate())} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} +0800 ${t.getUTCFullYear()}`;
}

export async function startWeiboFake(opts: WeiboFakeOptions = {}): Promise<WeiboFake> {
  const clock = opts.now ?? (() => new Date());
  const chunkKb = opts.chunkKb ?? 64;
  const lifetime = opts.tokenLifetimeSeconds ?? 86_400;
  const userLimit = opts.userHourlyLimit ?? 150;
  const postLimit = opts.postHourlyLimit ?? 30;

  const apps = new Map<string, WeiboFakeApp>();
  const accounts = new Map<string, { uid: string; screenName: string }>();
  let loggedIn: string | undefined;
  const codes = new Map<string, { appKey: string; uid: string; redirectUri: string; expiresAt: number }>();
  const tokens = new Map<string, Token>();
  const revoked = new Set<string>();
  const uploads = new Map<string, Upload>();
  const videos = new Map<string, Buffer>();
  const statuses: WeiboFakeStatus[] = [];
  const banned: string[] = [];
  const calls = new Map<string, number>();
  const lostReplies: { path: string; left: number }[] = [];
  let budget: { hour: number; left: number } | null = null;
  let seq = 0;

  const nowMs = () => clock().getTime();
  const hourOf = (ms: number) => Math.floor(ms / 3_600_000);
  const secondsToNextHour = () => Math.max(1, Math.ceil(((hourOf(nowMs()) + 1) * 3_600_000 - nowMs()) / 1000));
  const newId = () => String(4_900_000_000_000_000 + ++seq * 7919 + (nowMs() % 1000));

  const fail = (req: FakeRequest, code: number, error: string, status = 400): FakeReply => ({ status, json: { error, error_code: code, request: req.path } });
  const oauthFail = (req: FakeRequest, code: number, error: string, description: string): FakeReply => ({
    status: 400,
    json: { error, error_code: code, request: req.path, error_uri: req.path, error_description: description },
  });
  const missing = (req: FakeRequest, name: string) => fail(req, 10016, `miss required parameter (${name}), see doc for more info.`);
  const invalid = (req: FakeRequest, name: string, expect: string, got: string) =>
    fail(req, 10017, `Parameter (${name})'s value invalid, expect (${expect}) , but get (${got.slice(0, 80)}) , see doc for more info.`);

  /** Query parameters, plus the form body of a urlencoded POST (Weibo takes either). */
  function params(req: FakeRequest): URLSearchParams {
    const out = new URLSearchParams(req.query);
    if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) out.set(k, v);
    }
    return out;
  }

  function tokenState(t: Token | undefined): 'unknown' | 'revoked' | 'expired' | 'ok' {
    if (!t) return 'unknown';
    if (t.dead) return 'unknown';
    if (revoked.has(`${t.appKey}:${t.uid}`)) return 'revoked';
    return t.expiresAt <= nowMs() ? 'expired' : 'ok';
  }

  /** OAuth2 in the header ("Authorization: OAuth2 <token>") or the access_token parameter, as the 授权机制 page allows. */
  function authenticate(req: FakeRequest, p: URLSearchParams): { token: Token } | { reply: FakeReply } {
    const header = /^OAuth2\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const value = header?.[1] ?? p.get('access_token');
    if (!value) return { reply: fail(req, 21301, 'auth by Null spi!', 401) };
    const token = tokens.get(value);
    switch (tokenState(token)) {
      case 'unknown':
        return { reply: fail(req, 21332, 'invalid_access_token', 401) };
      case 'revoked':
        return { reply: fail(req, 21319, 'Accessor was revoked', 401) };
      case 'expired':
        return { reply: fail(req, 21327, 'expired_token', 401) };
      default:
        return { token: token as Token };
    }
  }

  /** Counts a metered call; returns the 10023/10024 reply when over. */
  function meter(req: FakeRequest, token: Token, post = false): FakeReply | null {
    const hour = hourOf(nowMs());
    if (budget && budget.hour !== hour) budget = null;
    if (budget) {
      if (budget.left <= 0) return fail(req, 10023, 'User requests out of rate limit!', 403);
      budget.left -= 1;
    }
    const key = `${token.appKey}:${token.uid}:${hour}`;
    const used = calls.get(key) ?? 0;
    if (used >= userLimit) return fail(req, 10023, 'User requests out of rate limit!', 403);
    if (post) {
      const postKey = `post:${key}`;
      const posts = calls.get(postKey) ?? 0;
      if (posts >= postLimit) return fail(req, 10024, 'User requests for (update_status) out of rate limit!', 403);
      calls.set(postKey, posts + 1);
    }
    calls.set(key, used + 1);
    return null;
  }

  function issue(appKey: string, uid: string, expiresIn = lifetime, withRefresh = apps.get(appKey)?.refreshTokens ?? false): Token {
    revoked.delete(`${appKey}:${uid}`);
    const token: Token = {
      accessToken: `2.00${randomBytes(12).toString('hex')}`,
      appKey,
      uid,
      createdAt: nowMs(),
      expiresAt: nowMs() + expiresIn * 1000,
      refreshToken: withRefresh ? `2.10${randomBytes(12).toString('hex')}` : undefined,
      dead: false,
    };
    tokens.set(token.accessToken, token);
    return token;
  }

  const tokenReply = (t: Token) => ({
    access_token: t.accessToken,
    remind_in: String(Math.round((t.expiresAt - nowMs()) / 1000)),
    expires_in: Math.round((t.expiresAt - nowMs()) / 1000),
    uid: t.uid,
    isRealName: 'true',
    ...(t.refreshToken ? { refresh_token: t.refreshToken } : {}),
  });

  function user(uid: string) {
    const acct = accounts.get(uid);
    return { id: Number(uid), idstr: uid, screen_name: acct?.screenName ?? uid, name: acct?.screenName ?? uid };
  }

  function render(s: WeiboFakeStatus, trimUser = false) {
    return {
      created_at: weiboDate(s.createdAt),
      id: Number(s.id),
      mid: s.id,
      idstr: s.id,
      text: s.text,
      source: '<a href="http://app.weibo.com" rel="nofollow">Paike</a>',
      favorited: false,
      truncated: false,
      in_reply_to_status_id: '',
      in_reply_to_user_id: '',
      in_reply_to_screen_name: '',
      geo: null,
      user: trimUser ? Number(s.uid) : user(s.uid),
      reposts_count: s.counts.reposts,
      comments_count: s.counts.comments,
      attitudes_count: s.counts.attitudes,
      mlevel: 0,
      visible: { type: 0, list_id: 0 },
      ...(s.mediaId
        ? { page_info: { type: 'video', object_type: 'video', object_id: `1034:${s.mediaId}`, page_url: `https://video.weibo.com/show?fid=1034:${s.mediaId}` } }
        : {}),
    };
  }

  const shortLink = (url: string) => `http://t.cn/${createHash('md5').update(url).digest('base64url').slice(0, 7)}`;

  const routes: Record<string, FakeRoute> = {
    // --- OAuth2 ---
    'GET /oauth2/authorize': (req) => {
      const p = params(req);
      const app = apps.get(p.get('client_id') ?? '');
      if (!app) return oauthFail(req, 21324, 'invalid_client', 'client id is invalid');
      const redirectUri = p.get('redirect_uri');
      if (!redirectUri || redirectUri !== app.redirectUri) return oauthFail(req, 21322, 'redirect_uri_mismatch', 'redirect_uri is not the registered one');
      if (p.get('response_type') && p.get('response_type') !== 'code') return oauthFail(req, 21329, 'unsupported_response_type', 'only code is supported');
      if (!loggedIn) return oauthFail(req, 21330, 'access_denied', 'the user did not grant access');
      const code = randomBytes(16).toString('hex');
      codes.set(code, { appKey: app.appKey, uid: loggedIn, redirectUri, expiresAt: nowMs() + 10 * 60_000 });
      const target = new URL(redirectUri);
      target.searchParams.set('code', code);
      const state = p.get('state');
      if (state) target.searchParams.set('state', state);
      return { status: 302, headers: { location: target.toString() } };
    },

    'POST /oauth2/access_token': (req) => {
      const p = params(req);
      const clientId = p.get('client_id');
      const secret = p.get('client_secret');
      if (!clientId || !secret) return oauthFail(req, 21323, 'invalid_request', 'miss client id or secret');
      const app = apps.get(clientId);
      if (!app || app.appSecret !== secret) return oauthFail(req, 21324, 'invalid_client', 'client id or secret is invalid');
      const grant = p.get('grant_type');
      if (grant === 'authorization_code') {
        const code = p.get('code');
        const redirectUri = p.get('redirect_uri');
        if (!code || !redirectUri) return oauthFail(req, 21323, 'invalid_request', 'miss code or redirect_uri');
        const granted = codes.get(code);
        // Codes are single use.
        codes.delete(code);
        if (!granted || granted.appKey !== app.appKey || granted.expiresAt <= nowMs())
          return oauthFail(req, 21325, 'invalid_grant', 'invalid authorization code');
        if (granted.redirectUri !== redirectUri) return oauthFail(req, 21322, 'redirect_uri_mismatch', 'redirect_uri differs from the authorize request');
        return { json: tokenReply(issue(app.appKey, granted.uid)) };
      }
      if (grant === 'refresh_token') {
        const refresh = p.get('refresh_token');
        if (!refresh) return oauthFail(req, 21323, 'invalid_request', 'miss refresh_token');
        const old = [...tokens.values()].find((t) => t.refreshToken === refresh && t.appKey === app.appKey && !t.dead);
        if (!old || revoked.has(`${old.appKey}:${old.uid}`)) return oauthFail(req, 21325, 'invalid_grant', 'invalid refresh_token');
        old.dead = true;
        return { json: tokenReply(issue(app.appKey, old.uid, lifetime, true)) };
      }
      return oauthFail(req, 21328, 'unsupported_grant_type', `unsupported grant_type: ${grant ?? ''}`);
    },

    'POST /oauth2/get_token_info': (req) => {
      const p = params(req);
      const value = p.get('access_token');
      if (!value) return oauthFail(req, 21323, 'invalid_request', 'miss access_token');
      const token = tokens.get(value);
      switch (tokenState(token)) {
        case 'unknown':
          return fail(req, 21332, 'invalid_access_token', 401);
        case 'revoked':
          return fail(req, 21319, 'Accessor was revoked', 401);
        case 'expired':
          return fail(req, 21327, 'expired_token', 401);
      }
      const t = token as Token;
      const appKey = /^\d+$/.test(t.appKey) ? Number(t.appKey) : t.appKey;
      return {
        json: {
          uid: Number(t.uid),
          appkey: appKey,
          scope: null,
          create_at: Math.floor(t.createdAt / 1000),
          expire_in: Math.floor((t.expiresAt - nowMs()) / 1000),
        },
      };
    },

    'POST /oauth2/revokeoauth2': (req) => {
      const auth = authenticate(req, params(req));
      if ('reply' in auth) return auth.reply;
      revoked.add(`${auth.token.appKey}:${auth.token.uid}`);
      return { json: { result: 'true' } };
    },

    // --- chunked video upload (upload.api.weibo.com) ---
    'GET /2/proxy/media/init': (req) => {
      const p = params(req);
      const auth = authenticate(req, p);
      if ('reply' in auth) return auth.reply;
      const over = meter(req, auth.token);
      if (over) return over;
      for (const name of ['type', 'check', 'length', 'name']) if (!p.get(name)) return missing(req, name);
      const type = p.get('type') as string;
      if (type !== 'video') return invalid(req, 'type', 'video', type);
      const check = p.get('check') as string;
      if (!MD5.test(check)) return invalid(req, 'check', 'md5 of the file', check);
      const length = Number(p.get('length'));
      if (!Number.isInteger(length) || length <= 0 || length > MAX_VIDEO_BYTES)
        return invalid(req, 'length', `1 to ${MAX_VIDEO_BYTES} bytes`, String(p.get('length')));
      const name = p.get('name') as string;
      const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
      if (!VIDEO_EXTENSIONS.includes(ext)) return invalid(req, 'name', VIDEO_EXTENSIONS.join(','), name);
      const fileToken = `${Math.floor(nowMs() / 1000)}.${randomBytes(14).toString('hex')}.r${seq + 1}`;
      const chunkBytes = chunkKb * 1024;
      uploads.set(fileToken, {
        fileToken,
        appKey: auth.token.appKey,
        uid: auth.token.uid,
        name,
        length,
        check: check.toLowerCase(),
        chunkBytes,
        count: Math.ceil(length / chunkBytes),
        chunks: new Map(),
      });
      return { json: { urlTag: '1', fileToken, length: chunkKb } };
    },

    'POST /2/proxy/media/upload': (req) => {
      const p = req.query;
      const auth = authenticate(req, p);
      if ('reply' in auth) return auth.reply;
      const over = meter(req, auth.token);
      if (over) return over;
      for (const name of ['filetoken', 'filelength', 'filecheck', 'chunksize', 'startloc', 'chunkindex', 'chunkcount', 'sectioncheck']) {
        if (!p.get(name)) return missing(req, name);
      }
      const mediaType = String(req.headers['content-type'] ?? '');
      if (!mediaType.startsWith('application/octet-stream')) return fail(req, 10007, `Unsupport mediatype (${mediaType})`);
      const upload = uploads.get(p.get('filetoken') as string);
      if (!upload || upload.uid !== auth.token.uid || upload.appKey !== auth.token.appKey)
        return invalid(req, 'filetoken', 'a fileToken from media/init', 'unknown');
      if (Number(p.get('filelength')) !== upload.length) return invalid(req, 'filelength', String(upload.length), String(p.get('filelength')));
      if (p.get('filecheck')?.toLowerCase() !== upload.check) return invalid(req, 'filecheck', upload.check, String(p.get('filecheck')));
      if (Number(p.get('chunkcount')) !== upload.count) return invalid(req, 'chunkcount', String(upload.count), String(p.get('chunkcount')));
      const index = Number(p.get('chunkindex'));
      if (!Number.isInteger(index) || index < 0 || index >= upload.count)
        return invalid(req, 'chunkindex', `0 to ${upload.count - 1}`, String(p.get('chunkindex')));
      const start = index * upload.chunkBytes;
      if (Number(p.get('startloc')) !== start) return invalid(req, 'startloc', String(start), String(p.get('startloc')));
      const size = Math.min(upload.chunkBytes, upload.length - start);
      if (Number(p.get('chunksize')) !== size || req.body.length !== size)
        return invalid(req, 'chunksize', String(size), `${p.get('chunksize')} (body ${req.body.length})`);
      const md5 = createHash('md5').update(req.body).digest('hex');
      if (p.get('sectioncheck')?.toLowerCase() !== md5) return invalid(req, 'sectioncheck', md5, String(p.get('sectioncheck')));
      upload.chunks.set(index, Buffer.from(req.body));
      if (!upload.fid && upload.chunks.size === upload.count) {
        const file = Buffer.concat([...upload.chunks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b));
        const whole = createHash('md5').update(file).digest('hex');
        if (whole !== upload.check) {
          upload.chunks.clear();
          return invalid(req, 'filecheck', whole, upload.check);
        }
        upload.fid = String(4_000_000_000_000_000 + ++seq);
        videos.set(upload.fid, file);
      }
      return { json: upload.fid ? { succ: true, complete: true, fid: upload.fid } : { succ: true, complete: false } };
    },

    // --- statuses ---
    'POST /2/statuses/share.json': (req) => {
      const p = params(req);
      const auth = authenticate(req, p);
      if ('reply' in auth) return auth.reply;
      const over = meter(req, auth.token, true);
      if (over) return over;
      const text = p.get('status');
      if (!text) return missing(req, 'status');
      const rip = p.get('rip');
      if (!rip) return missing(req, 'rip');
      if (!/^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/.test(rip)) return invalid(req, 'rip', 'an IPv4 address like 211.156.0.1', rip);
      if (weiboCount(text) > 140) return fail(req, 20012, 'Text too long, please input text less than 140 characters!');
      if (/#[^#]+#/.test(text.replace(URLS, ''))) return invalid(req, 'status', 'text without #topic#', text);
      const app = apps.get(auth.token.appKey) as WeiboFakeApp;
      const linksOnDomain = (text.match(URLS) ?? []).filter((u) => {
        const host = new URL(u).hostname;
        return host === app.secureDomain || host.endsWith(`.${app.secureDomain}`);
      });
      if (linksOnDomain.length === 0) return fail(req, 10017, 'appkey not bind domain!');
      if (banned.some((w) => text.includes(w))) return fail(req, 20021, 'Content is illegal!');
      const last = statuses.filter((s) => s.uid === auth.token.uid && !s.deleted).at(-1);
      if (last && last.status === text) return fail(req, 20019, 'Repeat content!');
      let mediaId: string | null = null;
      const media = p.get('media');
      if (media) {
        let parsed: { type?: unknown; media_id?: unknown } = {};
        try {
          parsed = JSON.parse(media) as typeof parsed;
        } catch {
          // falls through to the check below
        }
        const upload = [...uploads.values()].find((u) => u.fid !== undefined && u.fid === String(parsed.media_id));
        if (parsed.type !== 'video' || !upload || upload.uid !== auth.token.uid) return invalid(req, 'media', 'a completed video upload of this user', media);
        mediaId = upload.fid as string;
      }
      const status: WeiboFakeStatus = {
        id: newId(),
        uid: auth.token.uid,
        appKey: auth.token.appKey,
        status: text,
        text: text.replace(URLS, (u) => (/^https?:\/\/t\.cn\//.test(u) ? u : shortLink(u))),
        rip,
        mediaId,
        createdAt: clock(),
        deleted: false,
        counts: { reposts: 0, comments: 0, attitudes: 0 },
      };
      statuses.push(status);
      return { json: render(status) };
    },

    'GET /2/statuses/user_timeline.json': (req) => {
      const p = params(req);
      const auth = authenticate(req, p);
      if ('reply' in auth) return auth.reply;
      const over = meter(req, auth.token);
      if (over) return over;
      const count = Number(p.get('count') ?? 20);
      if (!Number.isInteger(count) || count < 1 || count > 100) return invalid(req, 'count', '1 to 100', String(p.get('count')));
      const page = Number(p.get('page') ?? 1);
      if (!Number.isInteger(page) || page < 1) return invalid(req, 'page', 'a positive integer', String(p.get('page')));
      const baseApp = p.get('base_app') ?? '0';
      if (baseApp !== '0' && baseApp !== '1') return invalid(req, 'base_app', '0 or 1', baseApp);
      // Since 2014 the timeline only shows the authorized user's own posts.
      const mine = statuses
        .filter((s) => s.uid === auth.token.uid && !s.deleted && (baseApp === '0' || s.appKey === auth.token.appKey))
        .slice()
        .reverse();
      const pageItems = mine.slice((page - 1) * count, page * count);
      return { json: { statuses: pageItems.map((s) => render(s, p.get('trim_user') === '1')), total_number: mine.length, previous_cursor: 0, next_cursor: 0 } };
    },

    'GET /2/statuses/count.json': (req) => {
      const p = params(req);
      const auth = authenticate(req, p);
      if ('reply' in auth) return auth.reply;
      const over = meter(req, auth.token);
      if (over) return over;
      const ids = p.get('ids');
      if (!ids) return missing(req, 'ids');
      const list = ids.split(',');
      if (list.length > 100 || list.some((id) => !/^\d+$/.test(id))) return invalid(req, 'ids', 'up to 100 comma-separated status ids', ids);
      const rows = list
        .map((id) => statuses.find((s) => s.id === id && !s.deleted))
        .filter((s): s is WeiboFakeStatus => s !== undefined)
        .map((s) => ({ id: Number(s.id), idstr: s.id, comments: s.counts.comments, reposts: s.counts.reposts, attitudes: s.counts.attitudes }));
      return { json: rows };
    },

    'POST /2/statuses/destroy.json': (req) => {
      const p = params(req);
      const auth = authenticate(req, p);
      if ('reply' in auth) return auth.reply;
      const over = meter(req, auth.token);
      if (over) return over;
      const id = p.get('id');
      if (!id) return missing(req, 'id');
      const status = statuses.find((s) => s.id === id && !s.deleted);
      if (!status) return fail(req, 20101, 'Target weibo does not exist!');
      if (status.uid !== auth.token.uid) return fail(req, 20102, 'Not your own weibo!', 403);
      status.deleted = true;
      return { json: render(status) };
    },

    'GET /2/account/rate_limit_status.json': (req) => {
      const auth = authenticate(req, params(req));
      if ('reply' in auth) return auth.reply;
      const hour = hourOf(nowMs());
      const used = calls.get(`${auth.token.appKey}:${auth.token.uid}:${hour}`) ?? 0;
      const posts = calls.get(`post:${auth.token.appKey}:${auth.token.uid}:${hour}`) ?? 0;
      const remaining = Math.max(0, Math.min(userLimit - used, budget && budget.hour === hour ? budget.left : Infinity));
      const reset = new Date((hour + 1) * 3_600_000 + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
      return {
        json: {
          ip_limit: 10000,
          limit_time_unit: 'HOURS',
          remaining_ip_hits: 10000,
          remaining_user_hits: remaining,
          reset_time: reset,
          reset_time_in_seconds: secondsToNextHour(),
          user_limit: userLimit,
          api_rate_limits: [{ api: 'update_status', limit: postLimit, limit_time_unit: 'HOURS', remaining_hits: Math.max(0, postLimit - posts) }],
        },
      };
    },
  };

  // The "crash after accept" switch: the route runs (its effect sticks), then the reply is lost.
  const wrapped: Record<string, FakeRoute> = {};
  for (const [key, route] of Object.entries(routes)) {
    wrapped[key] = async (req) => {
      const reply = await route(req);
      const lost = lostReplies.find((l) => l.left > 0 && l.path === req.path);
      if (!lost) return reply;
      lost.left -= 1;
      return { status: 502, text: 'Bad Gateway' };
    };
  }

  const platform = await startFakePlatform(wrapped);
  return Object.assign(platform, {
    registerApp(app: WeiboFakeApp) {
      apps.set(app.appKey, app);
    },
    registerAccount(account: { uid: string; screenName?: string }) {
      accounts.set(account.uid, { uid: account.uid, screenName: account.screenName ?? account.uid });
      loggedIn ??= account.uid;
    },
    authorizeAs(uid: string) {
      loggedIn = uid;
    },
    issueToken(o: { appKey: string; uid: string; expiresInSeconds?: number; withRefreshToken?: boolean }) {
      if (!apps.has(o.appKey) || !accounts.has(o.uid)) throw new Error('weibo fake: register the app and the account first');
      const t = issue(o.appKey, o.uid, o.expiresInSeconds ?? lifetime, o.withRefreshToken ?? apps.get(o.appKey)?.refreshTokens ?? false);
      return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(t.expiresAt) };
    },
    expireToken(accessToken: string) {
      const t = tokens.get(accessToken);
      if (t) t.expiresAt = nowMs() - 1000;
    },
    revoke(appKey: string, uid: string) {
      revoked.add(`${appKey}:${uid}`);
    },
    setCounts(statusId: string, counts: Partial<WeiboFakeStatus['counts']>) {
      const s = statuses.find((x) => x.id === statusId);
      if (!s) throw new Error(`weibo fake: no status ${statusId}`);
      Object.assign(s.counts, counts);
    },
    rejectWord(word: string) {
      banned.push(word);
    },
    rateLimitAfter(n: number | null) {
      budget = n === null ? null : { hour: hourOf(nowMs()), left: n };
    },
    acceptThenFail(path: string, n = 1) {
      lostReplies.push({ path, left: n });
    },
    statuses,
    video: (fid: string) => videos.get(fid),
  });
}
