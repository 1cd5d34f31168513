import { createHash, randomBytes } from 'node:crypto';
import { startFakePlatform, type FakePlatform, type FakeReply, type FakeRequest } from '../../distribution/channels/fakes/fake-platform.js';

/**
 * A local WeChat web OAuth (open.weixin.qq.com + api.weixin.qq.com on one port) for tests and
 * the browser journey, speaking the documented protocol (docs/wechat.md):
 * - GET /connect/qrconnect (website app, scope snsapi_login): a "QR code" page; its scan link
 *   stands for the phone scanning and confirming, and sends the browser to
 *   redirect_uri?code=CODE&state=STATE (only ?state=STATE when refused).
 * - GET /connect/oauth2/authorize (公众号, inside WeChat only): snsapi_base redirects back at
 *   once (silent); snsapi_userinfo shows a consent page first.
 * - GET /sns/oauth2/access_token: the code is single use and lives 5 minutes (40029 invalid
 *   code, 40163 code been used, 42003 code expired, 40125 invalid appsecret, 40013 invalid appid,
 *   41008 missing code, 40002 invalid grant_type).
 * - GET /sns/userinfo: 48001 for a snsapi_base token, 40001 bad token, 40003 openid mismatch.
 * openids are per app, the unionid is per person across both apps (one open platform account).
 */
export interface WechatFakeApp {
  appId: string;
  secret: string;
  kind: 'open' | 'mp';
  /** The 授权回调域 registered for the app: redirect_uri must be on this host. */
  domain: string;
}

export interface WechatFakeUser {
  nickname: string;
  /** Whether this person's unionid is revealed (the apps are bound to one open platform account). */
  unionid?: string;
}

const CODE_TTL_MS = 5 * 60_000;
const TOKEN_TTL_S = 7200;

export interface WechatOAuthFake {
  url: string;
  platform: FakePlatform;
  /** The WeChat user who scans the next QR code / whose WeChat browser it is. */
  actAs(key: string): void;
  addUser(key: string, user: WechatFakeUser): void;
  /** This user's openid in an app (what WeChat would give Paike). */
  openidOf(key: string, appId: string): string;
  /** Follows an authorisation address as a user would (scan, or allow), returning where WeChat sends the browser. */
  authorize(url: string, opts?: { userAgent?: string; deny?: boolean }): Promise<string>;
  close(): Promise<void>;
}

const html = (body: string): FakeReply => ({
  headers: { 'content-type': 'text/html; charset=utf-8' },
  text: `<!doctype html><meta charset="utf-8"><title>微信</title>${body}`,
});
const err = (errcode: number, errmsg: string): FakeReply => ({ json: { errcode, errmsg: `${errmsg}, rid: ${randomBytes(4).toString('hex')}` } });

export async function startWechatOAuthFake(opts: { apps: WechatFakeApp[]; now?: () => Date }): Promise<WechatOAuthFake> {
  const now = () => (opts.now ? opts.now() : new Date());
  const apps = new Map(opts.apps.map((a) => [a.appId, a]));
  const users = new Map<string, WechatFakeUser>();
  let current: string | null = null;
  const tickets = new Map<string, { appId: string; redirectUri: string; state: string; scope: string; user: string }>();
  const codes = new Map<string, { appId: string; user: string; scope: string; expiresAt: number; used: boolean }>();
  const tokens = new Map<string, { appId: string; user: string; scope: string; expiresAt: number }>();

  const openidOf = (key: string, appId: string) => `o${createHash('sha256').update(`${appId}:${key}`).digest('base64url').slice(0, 27)}`;

  function back(redirectUri: string, params: Record<string, string>): FakeReply {
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return { status: 302, headers: { location: u.toString() } };
  }

  function issueCode(t: { appId: string; redirectUri: string; state: string; scope: string; user: string }): FakeReply {
    const code = randomBytes(16).toString('hex');
    codes.set(code, { appId: t.appId, user: t.user, scope: t.scope, expiresAt: now().getTime() + CODE_TTL_MS, used: false });
    return back(t.redirectUri, { code, state: t.state });
  }

  /** Checks what both authorisation pages check; answers WeChat's error page or the ticket. */
  function checkAuthorize(req: FakeRequest, kind: 'open' | 'mp', scopes: string[]): FakeReply | { ticket: string; scope: string } {
    const q = req.query;
    const app = apps.get(q.get('appid') ?? '');
    const redirectUri = q.get('redirect_uri') ?? '';
    let host = '';
    try {
      host = new URL(redirectUri).host;
    } catch {
      /* refused below */
    }
    // WeChat shows this page (not a redirect) for a wrong app, scope or callback domain.
    if (!app || app.kind !== kind || q.get('response_type') !== 'code' || !scopes.includes(q.get('scope') ?? '') || host !== app.domain)
      return html('<p id="wechat-fake-error">该链接无法访问 (10003 redirect_uri 域名与后台配置不一致 / appid 或 scope 参数错误)</p>');
    if (!current || !users.has(current)) return html('<p id="wechat-fake-error">no WeChat user is acting (fake.actAs)</p>');
    const ticket = randomBytes(12).toString('hex');
    tickets.set(ticket, { appId: app.appId, redirectUri, state: q.get('state') ?? '', scope: q.get('scope')!, user: current });
    return { ticket, scope: q.get('scope')! };
  }

  const platform = await startFakePlatform({
    'GET /connect/qrconnect': (req) => {
      const r = checkAuthorize(req, 'open', ['snsapi_login']);
      if (!('ticket' in r)) return r;
      return html(
        `<h1>微信登录</h1><p>请使用微信扫描二维码登录</p><div class="qr">[QR]</div>` +
          `<a id="wechat-fake-scan" href="/connect/confirm?ticket=${r.ticket}">模拟扫码并确认登录 (scan and confirm)</a> ` +
          `<a id="wechat-fake-deny" href="/connect/deny?ticket=${r.ticket}">拒绝 (refuse)</a>`,
      );
    },
    'GET /connect/oauth2/authorize': (req) => {
      // Outside WeChat's browser the 公众号 authorisation cannot run.
      if (!/MicroMessenger/i.test(String(req.headers['user-agent'] ?? ''))) return html('<p id="wechat-fake-error">请在微信客户端打开链接</p>');
      const r = checkAuthorize(req, 'mp', ['snsapi_base', 'snsapi_userinfo']);
      if (!('ticket' in r)) return r;
      if (r.scope === 'snsapi_base') {
        const t = tickets.get(r.ticket)!;
        tickets.delete(r.ticket);
        return issueCode(t);
      }
      return html(
        `<h1>网页授权</h1><p>申请获取你的昵称、头像</p>` +
          `<a id="wechat-fake-allow" href="/connect/confirm?ticket=${r.ticket}">允许 (allow)</a> <a id="wechat-fake-deny" href="/connect/deny?ticket=${r.ticket}">拒绝 (refuse)</a>`,
      );
    },
    'GET /connect/confirm': (req) => {
      const t = tickets.get(req.query.get('ticket') ?? '');
      if (!t) return html('<p id="wechat-fake-error">二维码已失效</p>');
      tickets.delete(req.query.get('ticket')!);
      return issueCode(t);
    },
    'GET /connect/deny': (req) => {
      const t = tickets.get(req.query.get('ticket') ?? '');
      if (!t) return html('<p id="wechat-fake-error">二维码已失效</p>');
      tickets.delete(req.query.get('ticket')!);
      return back(t.redirectUri, { state: t.state });
    },
    'GET /sns/oauth2/access_token': (req) => {
      const q = req.query;
      if (!q.get('appid')) return err(41002, 'appid missing');
      const app = apps.get(q.get('appid')!);
      if (!app) return err(40013, 'invalid appid');
      if (!q.get('secret')) return err(41004, 'appsecret missing');
      if (q.get('secret') !== app.secret) return err(40125, 'invalid appsecret');
      if (!q.get('code')) return err(41008, 'missing code');
      if (q.get('grant_type') !== 'authorization_code') return err(40002, 'invalid grant_type');
      const c = codes.get(q.get('code')!);
      if (!c || c.appId !== app.appId) return err(40029, 'invalid code');
      if (c.used) return err(40163, 'code been used');
      if (c.expiresAt <= now().getTime()) return err(42003, 'code expired');
      c.used = true;
      const accessToken = randomBytes(24).toString('base64url');
      tokens.set(accessToken, { appId: app.appId, user: c.user, scope: c.scope, expiresAt: now().getTime() + TOKEN_TTL_S * 1000 });
      const u = users.get(c.user)!;
      // A 公众号 reveals the unionid only under snsapi_userinfo; the website app always does.
      const revealUnion = u.unionid && (app.kind === 'open' || c.scope === 'snsapi_userinfo');
      return {
        json: {
          access_token: accessToken,
          expires_in: TOKEN_TTL_S,
          refresh_token: randomBytes(24).toString('base64url'),
          openid: openidOf(c.user, app.appId),
          scope: c.scope,
          ...(revealUnion ? { unionid: u.unionid } : {}),
        },
      };
    },
    'GET /sns/userinfo': (req) => {
      const t = tokens.get(req.query.get('access_token') ?? '');
      if (!t) return err(40001, 'invalid credential, access_token is invalid or not latest');
      if (t.expiresAt <= now().getTime()) return err(42001, 'access_token expired');
      if (t.scope === 'snsapi_base') return err(48001, 'api unauthorized');
      if (req.query.get('openid') !== openidOf(t.user, t.appId)) return err(40003, 'invalid openid');
      const u = users.get(t.user)!;
      return {
        json: {
          openid: openidOf(t.user, t.appId),
          nickname: u.nickname,
          sex: 0,
          province: '',
          city: '',
          country: '',
          headimgurl: `https://thirdwx.qlogo.cn/mmopen/${createHash('sha256').update(t.user).digest('hex').slice(0, 16)}/132`,
          privilege: [],
          ...(u.unionid ? { unionid: u.unionid } : {}),
        },
      };
    },
  });

  return {
    url: platform.url,
    platform,
    actAs(key) {
      current = key;
    },
    addUser(key, user) {
      users.set(key, user);
    },
    openidOf,
    async authorize(url, o = {}) {
      const headers = { 'user-agent': o.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120' };
      const target = url.replace(/#wechat_redirect$/, '');
      const first = await fetch(target, { redirect: 'manual', headers });
      if (first.status === 302) return first.headers.get('location')!;
      const page = await first.text();
      const link = page.match(o.deny ? /id="wechat-fake-deny" href="([^"]+)"/ : /id="wechat-fake-(?:scan|allow)" href="([^"]+)"/);
      if (!link) throw new Error(`WeChat fake refused: ${page.replace(/<[^>]+>/g, ' ').trim()}`);
      const second = await fetch(new URL(link[1]!, platform.url), { redirect: 'manual', headers });
      return second.headers.get('location')!;
    },
    close: () => platform.close(),
  };
}
