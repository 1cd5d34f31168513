import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, GOOD_PASSWORD, uniqueEmail, type TestContext } from '../../testing/harness.js';

// Its own Paike with a low limit; on PostgreSQL + Redis the counters live in Redis.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3', PASSWORD_RESETS_PER_IP_PER_HOUR: '2' } });
});
afterAll(async () => {
  await ctx?.close();
});

describe('rate limits on sign-in, sign-up and code sending', () => {
  it('refuses the fourth sign-in attempt in a minute from one address, in the request language', async () => {
    const attempt = () =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        remoteAddress: '203.0.113.7',
        headers: { 'accept-language': 'zh-CN' },
        payload: { email: uniqueEmail(), password: GOOD_PASSWORD },
      });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await attempt()).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
    const limited = await attempt();
    expect(limited.json().error.code).toBe('request.rate_limited');
    expect(limited.json().error.message).toMatch(/^操作太频繁，请 \d+ 秒后再试。$/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    const other = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      remoteAddress: '203.0.113.8',
      payload: { email: uniqueEmail(), password: GOOD_PASSWORD },
    });
    expect(other.statusCode).toBe(401);
  });

  it('limits sign-up and code sending too, but not ordinary reads', async () => {
    const ip = '203.0.113.9';
    const signUps = [];
    for (let i = 0; i < 4; i++) {
      signUps.push(
        (
          await ctx.app.inject({
            method: 'POST',
            url: '/api/auth/sign-up/email',
            remoteAddress: ip,
            payload: { email: uniqueEmail(), password: GOOD_PASSWORD, name: 'R' },
          })
        ).statusCode,
      );
    }
    expect(signUps).toEqual([201, 201, 201, 429]);
    const codes = [];
    for (let i = 0; i < 4; i++) {
      codes.push(
        (await ctx.app.inject({ method: 'POST', url: '/api/auth/phone/send-code', remoteAddress: '203.0.113.10', payload: { phone: `+861380013${8000 + i}` } }))
          .statusCode,
      );
    }
    expect(codes).toEqual([202, 202, 202, 429]);
    for (let i = 0; i < 10; i++) expect((await ctx.app.inject({ method: 'GET', url: '/api/campaigns', remoteAddress: ip })).statusCode).toBe(200);
  });

  it('limits password reset requests per client address per hour, whatever the addresses asked about', async () => {
    const ask = (email: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/auth/password-reset/request',
        remoteAddress: '203.0.113.11',
        headers: { 'accept-language': 'zh-CN' },
        payload: { email },
      });
    expect((await ask(uniqueEmail())).statusCode).toBe(202);
    expect((await ask(uniqueEmail())).statusCode).toBe(202);
    const third = await ask(uniqueEmail());
    expect(third.statusCode).toBe(429);
    expect(third.json().error).toEqual({ code: 'password_reset.too_many', message: '重置密码的请求过于频繁，请一小时后再试。' });
    expect(third.headers['retry-after']).toBe('3600');
    // Another client address is not affected.
    const other = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/request',
      remoteAddress: '203.0.113.12',
      payload: { email: uniqueEmail() },
    });
    expect(other.statusCode).toBe(202);
  });
});
