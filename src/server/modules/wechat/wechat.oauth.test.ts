import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatOAuth, WechatOAuthError } from './wechat.oauth.js';
import { startWechatOAuthFake, type WechatOAuthFake } from './testing/wechat-oauth.fake.js';

// The real adapter against the local fake of WeChat's documented web OAuth.
const OPEN = { appId: 'wx0000000000open01', secret: 'open-secret', kind: 'open' as const, domain: 'paike.test' };
const MP = { appId: 'wx00000000000000mp', secret: 'mp-secret', kind: 'mp' as const, domain: 'paike.test' };
const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';
const REDIRECT = 'http://paike.test/api/auth/wechat/callback';

let fake: WechatOAuthFake;
let oauth: ReturnType<typeof createWechatOAuth>;
beforeAll(async () => {
  fake = await startWechatOAuthFake({ apps: [OPEN, MP] });
  fake.addUser('alice', { nickname: '爱丽丝', unionid: 'uAlice' });
  fake.actAs('alice');
  oauth = createWechatOAuth({ openUrl: fake.url, apiUrl: fake.url });
});
afterAll(async () => {
  await fake?.close();
});

async function codeFor(kind: 'open' | 'mp', scope: 'snsapi_login' | 'snsapi_base' | 'snsapi_userinfo') {
  const app = kind === 'open' ? OPEN : MP;
  const url = oauth.authorizeUrl({ kind, appId: app.appId, redirectUri: REDIRECT, scope, state: 'st-1' });
  const back = new URL(await fake.authorize(url, { userAgent: kind === 'mp' ? WECHAT_UA : undefined }));
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get('state')).toBe('st-1');
  return back.searchParams.get('code')!;
}

describe('WeChat OAuth adapter', () => {
  it('builds the documented addresses: qrconnect for the website app, oauth2/authorize for the 公众号, #wechat_redirect last', () => {
    const qr = oauth.authorizeUrl({ kind: 'open', appId: OPEN.appId, redirectUri: REDIRECT, scope: 'snsapi_login', state: 'abc' });
    expect(qr).toBe(
      `${fake.url}/connect/qrconnect?appid=${OPEN.appId}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=snsapi_login&state=abc#wechat_redirect`,
    );
    const mp = oauth.authorizeUrl({ kind: 'mp', appId: MP.appId, redirectUri: REDIRECT, scope: 'snsapi_base', state: 'abc' });
    expect(mp).toMatch(
      new RegExp(`^${fake.url}/connect/oauth2/authorize\\?appid=${MP.appId}&redirect_uri=.*&response_type=code&scope=snsapi_base&state=abc#wechat_redirect$`),
    );
  });

  it('exchanges a QR code for the token, openid and unionid, then reads the user info', async () => {
    const code = await codeFor('open', 'snsapi_login');
    const token = await oauth.exchangeCode({ appId: OPEN.appId, secret: OPEN.secret, code });
    expect(token).toMatchObject({
      openid: fake.openidOf('alice', OPEN.appId),
      unionid: 'uAlice',
      scope: 'snsapi_login',
      expiresIn: 7200,
      isSnapshotUser: false,
    });
    expect(token.accessToken).toBeTruthy();
    const info = await oauth.userInfo({ accessToken: token.accessToken, openid: token.openid });
    expect(info).toMatchObject({ nickname: '爱丽丝', unionid: 'uAlice', openid: token.openid });
  });

  it('a 公众号 snsapi_base code gives the openid only; its token may not read user info (48001)', async () => {
    const token = await oauth.exchangeCode({ appId: MP.appId, secret: MP.secret, code: await codeFor('mp', 'snsapi_base') });
    expect(token.openid).toBe(fake.openidOf('alice', MP.appId));
    expect(token.openid).not.toBe(fake.openidOf('alice', OPEN.appId));
    expect(token.unionid).toBeNull();
    await expect(oauth.userInfo({ accessToken: token.accessToken, openid: token.openid })).rejects.toMatchObject({ errcode: 48001 });
  });

  it('refuses with WeChat’s errcodes: a reused code (40163), an unknown code (40029), a code of another app, a wrong secret (40125)', async () => {
    const code = await codeFor('open', 'snsapi_login');
    await oauth.exchangeCode({ appId: OPEN.appId, secret: OPEN.secret, code });
    const reused = await oauth.exchangeCode({ appId: OPEN.appId, secret: OPEN.secret, code }).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(WechatOAuthError);
    expect(reused).toMatchObject({ errcode: 40163, codeRejected: true });
    await expect(oauth.exchangeCode({ appId: OPEN.appId, secret: OPEN.secret, code: 'nope' })).rejects.toMatchObject({ errcode: 40029 });
    await expect(oauth.exchangeCode({ appId: MP.appId, secret: MP.secret, code: await codeFor('open', 'snsapi_login') })).rejects.toMatchObject({
      errcode: 40029,
    });
    const wrong = (await oauth
      .exchangeCode({ appId: OPEN.appId, secret: 'leaked?', code: await codeFor('open', 'snsapi_login') })
      .catch((e: unknown) => e)) as Error;
    expect(wrong).toMatchObject({ errcode: 40125, codeRejected: false });
    // Neither the secret nor any URL reaches the error.
    expect(wrong.message).not.toContain('leaked?');
    expect(wrong.message).not.toContain('secret=');
  });

  it('a platform that is down or answers garbage is errcode -1, without the address in the message', async () => {
    fake.platform.down = true;
    const err = (await oauth.exchangeCode({ appId: OPEN.appId, secret: OPEN.secret, code: 'x' }).catch((e: unknown) => e)) as WechatOAuthError;
    fake.platform.down = false;
    expect(err.errcode).toBe(-1);
    expect(err.message).not.toContain(OPEN.secret);
    const dead = createWechatOAuth({ openUrl: 'http://127.0.0.1:9', apiUrl: 'http://127.0.0.1:9' });
    await expect(dead.userInfo({ accessToken: 'tok', openid: 'o' })).rejects.toMatchObject({ errcode: -1 });
  });

  it('the 公众号 authorisation opens only inside WeChat, and only for the registered callback domain', async () => {
    const url = oauth.authorizeUrl({ kind: 'mp', appId: MP.appId, redirectUri: REDIRECT, scope: 'snsapi_userinfo', state: 's' });
    await expect(fake.authorize(url)).rejects.toThrow(/请在微信客户端打开链接/);
    const elsewhere = oauth.authorizeUrl({ kind: 'open', appId: OPEN.appId, redirectUri: 'https://evil.example/cb', scope: 'snsapi_login', state: 's' });
    await expect(fake.authorize(elsewhere)).rejects.toThrow(/该链接无法访问/);
  });
});
