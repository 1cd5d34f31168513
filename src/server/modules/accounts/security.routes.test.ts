import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestContext, fixedClock, GOOD_PASSWORD, sessionCookie, signUp, uniqueEmail, type TestContext } from '../../testing/harness.js';

const clock = fixedClock('2026-12-01T04:00:00Z');
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ clock, env: { PASSWORD_RESETS_PER_IP_PER_HOUR: '1000' } });
});
afterAll(async () => {
  await ctx?.close();
});

const NEW_PASSWORD = 'lanterns over the river at dusk';
const post = (url: string, payload: object, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'POST', url, payload, headers });
const signInEmail = (email: string, password: string) => post('/api/auth/sign-in/email', { email, password });
const me = (cookie: string) => ctx.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });

/** The reset link in the newest email to `to`; the message is sent after the answer, so it is waited for. */
async function linkTo(to: string, before: number): Promise<string> {
  await vi.waitFor(() => expect(ctx.mail.sent.slice(before).some((m) => m.to === to)).toBe(true));
  const msg = ctx.mail.sent.slice(before).findLast((m) => m.to === to)!;
  const url = /https?:\/\/\S+/.exec(msg.text)![0];
  return url;
}
async function codeTo(phone: string, before: number): Promise<string> {
  await vi.waitFor(() => expect(ctx.sms.sent.slice(before).some((m) => m.phone === phone)).toBe(true));
  return ctx.sms.sent.slice(before).findLast((m) => m.phone === phone)!.code;
}

describe('password reset by email', () => {
  it('emails a single-use link in the request language; the new password works, the old one and every session do not', async () => {
    const { user, cookie } = await signUp(ctx.app);
    const before = ctx.mail.sent.length;
    const asked = await post('/api/auth/password-reset/request', { email: user.email.toUpperCase() }, { 'accept-language': 'zh-CN' });
    expect(asked.statusCode).toBe(202);
    expect(asked.json()).toEqual({ expiresInSeconds: 1800 });
    const link = await linkTo(user.email, before);
    const mail = ctx.mail.sent.findLast((m) => m.to === user.email)!;
    expect(mail.subject).toBe('重置你的拍客密码');
    expect(mail.text).toContain('30 分钟内有效');
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe('http://paike.test/reset-password');
    // The token rides in the fragment: it never reaches a server log or a Referer header.
    expect(url.search).toBe('');
    const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(asked.body).not.toContain(token);

    const weak = await post('/api/auth/password-reset/email', { token, password: 'qwerty123456' });
    expect(weak.json().error.code).toBe('auth.password_common');
    const done = await post('/api/auth/password-reset/email', { token, password: NEW_PASSWORD });
    expect(done.statusCode).toBe(204);
    expect((await me(cookie)).statusCode).toBe(401);
    expect((await signInEmail(user.email, GOOD_PASSWORD)).statusCode).toBe(401);
    expect((await signInEmail(user.email, NEW_PASSWORD)).statusCode).toBe(200);

    const reused = await post('/api/auth/password-reset/email', { token, password: 'another long passphrase' }, { 'accept-language': 'en' });
    expect(reused.statusCode).toBe(410);
    expect(reused.json().error).toEqual({
      code: 'password_reset.used',
      message: 'This reset link has already been used; each link works once. Ask for a new one to reset again.',
    });
  });

  it('refuses an expired link and a guessed one, and a newer reset voids older links', async () => {
    const { user } = await signUp(ctx.app);
    let before = ctx.mail.sent.length;
    await post('/api/auth/password-reset/request', { email: user.email });
    const first = new URLSearchParams(new URL(await linkTo(user.email, before)).hash.slice(1)).get('token')!;
    clock.advance(31 * 60_000);
    const expired = await post('/api/auth/password-reset/email', { token: first, password: NEW_PASSWORD }, { 'accept-language': 'zh-CN' });
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error).toEqual({ code: 'password_reset.expired', message: '重置链接已过期（有效期 30 分钟），请重新申请。' });

    const guessed = await post('/api/auth/password-reset/email', { token: 'A'.repeat(43), password: NEW_PASSWORD });
    expect(guessed.statusCode).toBe(400);
    expect(guessed.json().error.code).toBe('password_reset.invalid');

    before = ctx.mail.sent.length;
    await post('/api/auth/password-reset/request', { email: user.email });
    const a = new URLSearchParams(new URL(await linkTo(user.email, before)).hash.slice(1)).get('token')!;
    before = ctx.mail.sent.length;
    await post('/api/auth/password-reset/request', { email: user.email });
    const b = new URLSearchParams(new URL(await linkTo(user.email, before)).hash.slice(1)).get('token')!;
    expect((await post('/api/auth/password-reset/email', { token: b, password: NEW_PASSWORD })).statusCode).toBe(204);
    expect((await post('/api/auth/password-reset/email', { token: a, password: NEW_PASSWORD })).json().error.code).toBe('password_reset.used');
  });

  it('answers an unknown address exactly as a known one, sends nothing, and limits requests per address either way', async () => {
    const { user } = await signUp(ctx.app);
    const unknown = uniqueEmail('nobody');
    const before = ctx.mail.sent.length;
    const known = await post('/api/auth/password-reset/request', { email: user.email });
    const nobody = await post('/api/auth/password-reset/request', { email: unknown });
    expect(nobody.statusCode).toBe(known.statusCode);
    expect(nobody.body).toBe(known.body);
    expect(Object.keys(nobody.headers).sort()).toEqual(Object.keys(known.headers).sort());
    await linkTo(user.email, before);
    expect(ctx.mail.sent.some((m) => m.to === unknown)).toBe(false);

    for (const email of [user.email, unknown]) {
      // One request above, four more, then the sixth in the hour is refused, known or not.
      for (let i = 0; i < 4; i++) expect((await post('/api/auth/password-reset/request', { email })).statusCode).toBe(202);
      const limited = await post('/api/auth/password-reset/request', { email }, { 'accept-language': 'en' });
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error).toEqual({ code: 'password_reset.too_many', message: 'Too many password reset requests. Please try again in an hour.' });
    }
  });
});

describe('password reset by SMS', () => {
  it('texts a code to a number typed the mainland way; it resets once, ends every session, and then phone + password signs in', async () => {
    const phone = '+8613500135001';
    let before = ctx.sms.sent.length;
    await post('/api/auth/phone/send-code', { phone: '135 0013 5001' });
    const signUpCode = await codeTo(phone, before);
    const signedUp = await post('/api/auth/sign-in/phone', { phone: '135-0013-5001', code: signUpCode, name: '拍客老陈' });
    const cookie = sessionCookie(signedUp);

    before = ctx.sms.sent.length;
    const asked = await post('/api/auth/password-reset/request', { phone: '135 0013 5001', country: 'CN' });
    expect(asked.json()).toEqual({ expiresInSeconds: 300 });
    const code = await codeTo(phone, before);
    const wrong = code === '000000' ? '111111' : '000000';
    const bad = await post('/api/auth/password-reset/sms', { phone: '13500135001', code: wrong, password: NEW_PASSWORD }, { 'accept-language': 'zh-CN' });
    expect(bad.json().error).toEqual({ code: 'password_reset.code_invalid', message: '验证码不正确、已使用或已过期，请检查或重新获取。' });
    // A sign-in code is not a reset code, nor the other way round.
    expect((await post('/api/auth/sign-in/phone', { phone, code })).json().error.code).toBe('auth.code_invalid');

    expect((await post('/api/auth/password-reset/sms', { phone: '+86 135 0013 5001', code, password: NEW_PASSWORD })).statusCode).toBe(204);
    expect((await me(cookie)).statusCode).toBe(401);
    const reused = await post('/api/auth/password-reset/sms', { phone, code, password: 'another long passphrase' });
    expect(reused.json().error.code).toBe('password_reset.code_invalid');

    const wrongPw = await post('/api/auth/sign-in/phone-password', { phone: '135 0013 5001', password: GOOD_PASSWORD }, { 'accept-language': 'en' });
    expect(wrongPw.statusCode).toBe(401);
    expect(wrongPw.json().error).toEqual({ code: 'auth.invalid_phone_credentials', message: 'Wrong phone number or password.' });
    const ok = await post('/api/auth/sign-in/phone-password', { phone: '135 0013 5001', password: NEW_PASSWORD });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toMatchObject({ phone, name: '拍客老陈' });
  });

  it('locks a code after five wrong guesses, refuses an expired one, and says the same for an unknown number', async () => {
    const phone = '+8613500135002';
    let before = ctx.sms.sent.length;
    await post('/api/auth/phone/send-code', { phone });
    await post('/api/auth/sign-in/phone', { phone, code: await codeTo(phone, before), name: 'N' });

    before = ctx.sms.sent.length;
    await post('/api/auth/password-reset/request', { phone });
    const code = await codeTo(phone, before);
    const wrong = code === '000000' ? '111111' : '000000';
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await post('/api/auth/password-reset/sms', { phone, code: wrong, password: NEW_PASSWORD })).json().error.code);
    expect(codes).toEqual([...Array(4).fill('password_reset.code_invalid'), 'password_reset.code_too_many']);
    expect((await post('/api/auth/password-reset/sms', { phone, code, password: NEW_PASSWORD })).statusCode).toBe(429);

    before = ctx.sms.sent.length;
    await post('/api/auth/password-reset/request', { phone });
    const late = await codeTo(phone, before);
    clock.advance(6 * 60_000);
    expect((await post('/api/auth/password-reset/sms', { phone, code: late, password: NEW_PASSWORD })).json().error.code).toBe('password_reset.code_invalid');

    const unknown = '+8613500135999';
    before = ctx.sms.sent.length;
    const known = await post('/api/auth/password-reset/request', { phone });
    const nobody = await post('/api/auth/password-reset/request', { phone: unknown });
    expect(nobody.statusCode).toBe(known.statusCode);
    expect(nobody.body).toBe(known.body);
    await codeTo(phone, before);
    expect(ctx.sms.sent.some((m) => m.phone === unknown)).toBe(false);
    const invalid = await post('/api/auth/password-reset/request', { phone: '12345678901' });
    expect(invalid.json().error.code).toBe('phone.invalid');
  });
});

describe('password change and sessions', () => {
  it('needs the current password, applies the policy, and signs out every other session but this one', async () => {
    const { user, cookie } = await signUp(ctx.app);
    const other = sessionCookie(await signInEmail(user.email, GOOD_PASSWORD));
    const third = sessionCookie(await signInEmail(user.email, GOOD_PASSWORD));
    const change = (body: object, c = cookie) =>
      ctx.app.inject({ method: 'POST', url: '/api/me/password', headers: { cookie: c, 'accept-language': 'zh-CN' }, payload: body });

    expect((await change({ newPassword: NEW_PASSWORD })).json().error.code).toBe('password.current_required');
    const wrong = await change({ currentPassword: 'not my password at all', newPassword: NEW_PASSWORD });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toEqual({ code: 'password.current_wrong', message: '当前密码不正确。' });
    expect((await change({ currentPassword: GOOD_PASSWORD, newPassword: 'short' })).json().error.code).toBe('auth.password_too_short');
    expect((await me(other)).statusCode).toBe(200);

    const ok = await change({ currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ revokedSessions: 2 });
    expect((await me(cookie)).statusCode).toBe(200);
    expect((await me(other)).statusCode).toBe(401);
    expect((await me(third)).statusCode).toBe(401);
    expect((await signInEmail(user.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('lets a phone-only account set a first password without a current one', async () => {
    const phone = '+8613500135003';
    const before = ctx.sms.sent.length;
    await post('/api/auth/phone/send-code', { phone });
    const res = await post('/api/auth/sign-in/phone', { phone, code: await codeTo(phone, before), name: 'P' });
    const cookie = sessionCookie(res);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me/security', headers: { cookie } })).json()).toEqual({ hasPassword: false });
    const set = await ctx.app.inject({ method: 'POST', url: '/api/me/password', headers: { cookie }, payload: { newPassword: NEW_PASSWORD } });
    expect(set.statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me/security', headers: { cookie } })).json()).toEqual({ hasPassword: true });
    expect((await post('/api/auth/sign-in/phone-password', { phone: '135 0013 5003', password: NEW_PASSWORD })).statusCode).toBe(200);
  });

  it('lists sessions with this one marked, and "sign out everywhere else" keeps only this one', async () => {
    const { user, cookie } = await signUp(ctx.app);
    const other = sessionCookie(
      await ctx.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        headers: { 'user-agent': 'Mozilla/5.0 (iPhone)' },
        payload: { email: user.email, password: GOOD_PASSWORD },
      }),
    );
    const list = await ctx.app.inject({ method: 'GET', url: '/api/me/sessions', headers: { cookie } });
    expect(list.json().sessions).toHaveLength(2);
    expect(list.json().sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const out = await ctx.app.inject({ method: 'POST', url: '/api/me/sessions/sign-out-others', headers: { cookie }, payload: {} });
    expect(out.json()).toEqual({ revokedSessions: 1 });
    expect((await me(other)).statusCode).toBe(401);
    const after = await ctx.app.inject({ method: 'GET', url: '/api/me/sessions', headers: { cookie } });
    expect(after.json().sessions).toEqual([expect.objectContaining({ current: true })]);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/me/sessions/sign-out-others', payload: {} })).statusCode).toBe(401);
  });
});
