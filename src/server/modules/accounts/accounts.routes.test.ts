import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, fixedClock, GOOD_PASSWORD, sessionCookie, signUp, staff, uniqueEmail, type TestContext } from '../../testing/harness.js';

const clock = fixedClock('2026-11-26T04:00:00Z');
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ clock });
});
afterAll(async () => {
  await ctx?.close();
});

describe('email sign-up and sign-in', () => {
  it('signs up a contributor, sets an HttpOnly SameSite cookie and answers /api/me', async () => {
    const email = uniqueEmail();
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      payload: { email: email.toUpperCase(), password: GOOD_PASSWORD, name: '林勇刚' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ email, name: '林勇刚', roles: ['contributor'], locale: 'zh-CN' });
    const cookie = res.cookies.find((c) => c.name === 'paike_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const me = await ctx.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: sessionCookie(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ id: res.json().user.id, email, phone: null, name: '林勇刚', roles: ['contributor'], locale: 'zh-CN' });
  });

  it('takes the language from Accept-Language when the body names none', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
      payload: { email: uniqueEmail(), password: GOOD_PASSWORD, name: 'Ann' },
    });
    expect(res.json().user.locale).toBe('en');
  });

  it('refuses a duplicate email in the request language, case-insensitively', async () => {
    const { user } = await signUp(ctx.app);
    const zh = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { 'accept-language': 'zh-CN' },
      payload: { email: user.email.toUpperCase(), password: GOOD_PASSWORD, name: 'X' },
    });
    expect(zh.statusCode).toBe(409);
    expect(zh.json()).toEqual({ error: { code: 'auth.email_taken', message: '该邮箱已注册，请直接登录。' } });
    const en = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { 'accept-language': 'en' },
      payload: { email: user.email, password: GOOD_PASSWORD, name: 'X' },
    });
    expect(en.json().error.message).toBe('This email is already registered. Please sign in.');
  });

  it('applies the password policy: 12–128 characters, common passwords refused, any characters allowed', async () => {
    const post = (password: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/auth/sign-up/email',
        headers: { 'accept-language': 'en' },
        payload: { email: uniqueEmail(), password, name: 'P' },
      });
    expect((await post('short-pass1')).json().error.code).toBe('auth.password_too_short');
    expect((await post('x'.repeat(129) + 'y')).json().error.code).toBe('auth.password_too_long');
    expect((await post('qwerty123456')).json().error.code).toBe('auth.password_common');
    expect((await post('abcabcabcabc')).json().error.code).toBe('auth.password_common');
    // No composition rules: all lower-case letters and spaces, or Chinese, are fine.
    expect((await post('my cat likes warm milk')).statusCode).toBe(201);
    expect((await post('我家的猫咪最喜欢喝温牛奶了')).statusCode).toBe(201);
  });

  it('signs in with the right password only, and says the same for an unknown email', async () => {
    const { user } = await signUp(ctx.app);
    const wrong = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: user.email, password: 'not the password at all' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('auth.invalid_credentials');
    const unknown = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: uniqueEmail('nobody'), password: GOOD_PASSWORD },
    });
    expect(unknown.json().error).toEqual(wrong.json().error);
    const ok = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: user.email, password: GOOD_PASSWORD } });
    expect(ok.statusCode).toBe(200);
  });
});

describe('bad input', () => {
  it('refuses unknown fields, wrong types and oversized bodies with a coded error and writes nothing', async () => {
    const email = uniqueEmail();
    const extra = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      payload: { email, password: GOOD_PASSWORD, name: 'A', roles: ['admin'] },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('request.invalid');
    const types = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: { email, password: 12345678901234, name: 'A' } });
    expect(types.statusCode).toBe(400);
    const big = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email, password: GOOD_PASSWORD, name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('request.too_large');
    const malformed = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(malformed.statusCode).toBe(400);
    // None of those created the account: signing up now works.
    const ok = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: { email, password: GOOD_PASSWORD, name: 'A' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().user.roles).toEqual(['contributor']);
  });

  it('refuses a cross-site state-changing browser request (CSRF) but allows same-origin', async () => {
    const { cookie } = await signUp(ctx.app);
    const cross = await ctx.app.inject({
      method: 'PATCH',
      url: '/api/me',
      headers: { cookie, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      payload: { name: 'Hacked' },
    });
    expect(cross.statusCode).toBe(403);
    expect(cross.json().error.code).toBe('request.cross_site');
    const foreignOrigin = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie, origin: 'https://evil.example' } });
    expect(foreignOrigin.statusCode).toBe(403);
    const me = await ctx.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.json().name).toBe('Test User');
    const same = await ctx.app.inject({
      method: 'PATCH',
      url: '/api/me',
      headers: { cookie, 'sec-fetch-site': 'same-origin', origin: 'http://paike.test' },
      payload: { name: 'Renamed' },
    });
    expect(same.statusCode).toBe(200);
    expect(same.json().user.name).toBe('Renamed');
  });

  it('answers 401 without a session and 403 when a contributor calls a staff route', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me' })).json().error.code).toBe('auth.required');
    const { cookie } = await signUp(ctx.app);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/admin/users', headers: { cookie, 'accept-language': 'zh-CN' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({ code: 'auth.forbidden', message: '你没有权限执行此操作。' });
  });
});

describe('sessions', () => {
  it('lists my sessions, revokes another one, and a revoked session is signed out', async () => {
    const { cookie: first, user } = await signUp(ctx.app);
    const second = sessionCookie(
      await ctx.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        headers: { 'user-agent': 'PhoneBrowser/1.0' },
        payload: { email: user.email, password: GOOD_PASSWORD },
      }),
    );
    const list = (await ctx.app.inject({ method: 'GET', url: '/api/me/sessions', headers: { cookie: first } })).json().sessions;
    expect(list).toHaveLength(2);
    const other = list.find((s: { current: boolean }) => !s.current);
    expect(other.userAgent).toBe('PhoneBrowser/1.0');
    const del = await ctx.app.inject({ method: 'DELETE', url: `/api/me/sessions/${other.id}`, headers: { cookie: first } });
    expect(del.statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: second } })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: first } })).statusCode).toBe(200);
  });

  it('cannot revoke someone else’s session', async () => {
    const a = await signUp(ctx.app);
    const b = await signUp(ctx.app);
    const bSession = (await ctx.app.inject({ method: 'GET', url: '/api/me/sessions', headers: { cookie: b.cookie } })).json().sessions[0];
    const res = await ctx.app.inject({ method: 'DELETE', url: `/api/me/sessions/${bSession.id}`, headers: { cookie: a.cookie } });
    expect(res.statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: b.cookie } })).statusCode).toBe(200);
  });

  it('signs out, and the old cookie no longer works', async () => {
    const { cookie } = await signUp(ctx.app);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie } })).statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('expires sessions after SESSION_TTL_DAYS', async () => {
    const { cookie } = await signUp(ctx.app);
    clock.advance(31 * 86_400_000);
    try {
      expect((await ctx.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
    } finally {
      clock.advance(-31 * 86_400_000);
    }
  });
});

describe('phone sign-in with SMS codes', () => {
  const phone = '+8613800138000';

  it('texts a code, signs up a new contributor with it, and the code works once', async () => {
    const sent = await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', headers: { 'accept-language': 'zh-CN' }, payload: { phone } });
    expect(sent.statusCode).toBe(202);
    const msg = ctx.sms.sent.at(-1)!;
    expect(msg).toMatchObject({ phone, locale: 'zh-CN' });
    expect(msg.code).toMatch(/^\d{6}$/);
    const noName = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/phone', payload: { phone, code: msg.code } });
    expect(noName.json().error.code).toBe('auth.name_required');
    const ok = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/phone', payload: { phone, code: msg.code, name: '拍客小王' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toMatchObject({ phone, email: null, name: '拍客小王', roles: ['contributor'] });
    const again = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/phone', payload: { phone, code: msg.code, name: '拍客小王' } });
    expect(again.json().error.code).toBe('auth.code_invalid');
  });

  it('locks a code after five wrong guesses', async () => {
    const other = '+8613900139000';
    await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', payload: { phone: other } });
    const code = ctx.sms.sent.at(-1)!.code;
    const wrong = code === '000000' ? '111111' : '000000';
    const codes = [];
    for (let i = 0; i < 5; i++)
      codes.push(
        (await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/phone', payload: { phone: other, code: wrong, name: 'N' } })).json().error.code,
      );
    expect(codes).toEqual(['auth.code_invalid', 'auth.code_invalid', 'auth.code_invalid', 'auth.code_invalid', 'auth.code_too_many_attempts']);
    const right = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/phone', payload: { phone: other, code, name: 'N' } });
    expect(right.json().error.code).toBe('auth.code_too_many_attempts');
  });

  it('limits codes per phone per hour, and a failed SMS leaves no usable code', async () => {
    const p = '+8613700137000';
    ctx.sms.fail = new Error('provider down');
    const failed = await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', headers: { 'accept-language': 'en' }, payload: { phone: p } });
    ctx.sms.fail = undefined;
    expect(failed.statusCode).toBeGreaterThanOrEqual(502);
    expect(failed.json().error.message).toBe('The text message could not be sent. Please try again later.');
    for (let i = 0; i < 4; i++)
      expect((await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', payload: { phone: p } })).statusCode).toBe(202);
    const limited = await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', payload: { phone: p } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('auth.code_limit');
  });

  it('takes a mainland number as typed, stores E.164, and refuses numbers that are not mobile numbers in both languages', async () => {
    const typed = ['136 0013 6001', '136-0013-6001', '+86 136 0013 6001'];
    const sent = await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', payload: { phone: typed[0], country: 'CN' } });
    expect(sent.statusCode).toBe(202);
    expect(ctx.sms.sent.at(-1)!.phone).toBe('+8613600136001');
    // Signing in with another spelling of the same number finds the same code.
    const ok = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/phone',
      payload: { phone: typed[1], code: ctx.sms.sent.at(-1)!.code, name: '小李' },
    });
    expect(ok.json().user.phone).toBe('+8613600136001');
    await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', payload: { phone: typed[2] } });
    const again = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/phone', payload: { phone: '13600136001', code: ctx.sms.sent.at(-1)!.code } });
    expect(again.json().user.id).toBe(ok.json().user.id);

    const zh = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/phone/send-code',
      headers: { 'accept-language': 'zh-CN' },
      payload: { phone: '12345678901' },
    });
    expect(zh.statusCode).toBe(400);
    expect(zh.json().error).toEqual({ code: 'phone.invalid', message: '手机号码无效，请检查后重新输入（中国大陆手机号为 11 位，例如 139 0013 9001）。' });
    const en = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/phone/send-code',
      headers: { 'accept-language': 'en' },
      payload: { phone: '010 1234 5678' },
    });
    expect(en.json().error).toEqual({ code: 'phone.not_mobile', message: 'This number cannot receive text messages. Please give a mobile number.' });
    const country = await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', payload: { phone: '13900139001', country: 'XX' } });
    expect(country.json().error.code).toBe('phone.country_unknown');
  });
});

describe('staff accounts', () => {
  it('lets an admin create an editor who can then sign in; a contributor cannot', async () => {
    const admin = await staff(ctx, ['admin']);
    const email = uniqueEmail('editor');
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { cookie: admin.cookie },
      payload: { email, password: GOOD_PASSWORD, name: 'Ed', roles: ['editor'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().user).toMatchObject({ email, roles: ['editor'], disabled: false });
    const signIn = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email, password: GOOD_PASSWORD } });
    expect(signIn.json().user.roles).toEqual(['editor']);
    const contributor = await signUp(ctx.app);
    const denied = await ctx.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { cookie: contributor.cookie },
      payload: { email: uniqueEmail(), password: GOOD_PASSWORD, name: 'X', roles: ['admin'] },
    });
    expect(denied.statusCode).toBe(403);
  });

  it('disabling an account ends its sessions; the last admin cannot be demoted', async () => {
    const admin = await staff(ctx, ['admin']);
    const victim = await signUp(ctx.app);
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${victim.user.id}`,
      headers: { cookie: admin.cookie },
      payload: { disabled: true },
    });
    expect(res.json().user.disabled).toBe(true);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: victim.cookie } })).statusCode).toBe(401);
    const again = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: victim.user.email, password: GOOD_PASSWORD } });
    expect(again.json().error.code).toBe('auth.account_disabled');

    const users = (await ctx.app.inject({ method: 'GET', url: '/api/admin/users?role=admin&pageSize=100', headers: { cookie: admin.cookie } })).json()
      .users as {
      id: string;
      roles: string[];
    }[];
    const admins = users.filter((u) => u.roles.includes('admin'));
    for (const a of admins.filter((x) => x.id !== admin.user.id)) {
      const r = await ctx.app.inject({ method: 'PATCH', url: `/api/admin/users/${a.id}`, headers: { cookie: admin.cookie }, payload: { roles: ['editor'] } });
      expect(r.statusCode).toBe(200);
    }
    const demote = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${admin.user.id}`,
      headers: { cookie: admin.cookie },
      payload: { roles: ['editor'] },
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error.code).toBe('user.last_admin');
  });
});
