import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { propagationFixtures } from '../modules/propagation/propagation.fixtures.js';
import { createTestContext, staff, type TestContext } from '../testing/harness.js';
import { openApiRoutes, type OpenApiDocument, type OpenApiRoute } from '../testing/openapi.js';
import { sweepRequests, type SweepHints } from '../testing/route-sweep.js';

// Every documented route, sent NULs, lone surrogates, huge, malformed, missing and out-of-range
// values in its path, query and body, as an admin (who passes every permission check, so the
// input reaches the deepest code) and anonymously: no answer may be a 5xx, and every 4xx is
// `{error: {code, message}}`.

/** tus uploads read raw bytes and their own headers (their module sweeps them). Event streams (never ending) are left out by their documented content type. */
const NOT_SWEPT = [/^\/api\/uploads/];

/**
 * 5xx answers that are not our failure: a platform we call refusing or unreachable (502).
 * Anything else at 500 and above fails the sweep.
 */
const UPSTREAM = new Set(['channel.connect_failed', 'auth.sms_failed']);

/** Every request answers within this; one that does not is reported by name. */
const ANSWER_WITHIN_MS = 10_000;

let ctx: TestContext;
let routes: OpenApiRoute[];
let hints: SweepHints;

beforeAll(async () => {
  // Platforms "answer" from a closed port: a credential check fails fast as 502, never hangs.
  const closed = 'http://127.0.0.1:9';
  ctx = await createTestContext({ env: { WECHAT_API_URL: closed, WEIBO_API_URL: closed, DOUYIN_API_URL: closed, PENGUIN_API_URL: closed } });
  const doc = (await ctx.app.inject({ url: '/api/openapi.json' })).json<OpenApiDocument>();
  // HEAD and OPTIONS carry no input of their own.
  routes = openApiRoutes(doc).filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.eventStream && !NOT_SWEPT.some((re) => re.test(r.path)));
  const fx = propagationFixtures(ctx);
  const campaignId = await fx.campaign();
  const contributorId = await fx.contributor();
  const submissionId = await fx.video({ userId: contributorId, campaignId });
  hints = {
    param(name, routePath) {
      if (name === 'campaignId' || name === 'idOrSlug') return campaignId;
      if (name === 'submissionId') return submissionId;
      if (name === '*') return `submissions/${submissionId}/poster.jpg`;
      if (name !== 'id') return undefined;
      if (/\/(campaigns)\/\{id\}/.test(routePath)) return campaignId;
      if (/\/(submissions|videos)\/\{id\}/.test(routePath)) return submissionId;
      if (/\/contributors\/\{id\}/.test(routePath)) return contributorId;
      return undefined;
    },
  };
}, 60_000);

afterAll(async () => {
  await ctx?.close();
});

interface Failure {
  request: string;
  status: number;
  body: string;
}

async function sweep(actor: () => Promise<string | undefined>): Promise<{ sent: number; failures: Failure[] }> {
  const failures: Failure[] = [];
  let sent = 0;
  const timing: [number, string][] = [];
  for (const route of routes) {
    const t0 = performance.now();
    const cookie = await actor();
    for (const r of sweepRequests(route, hints)) {
      sent += 1;
      const where = `${r.method} ${r.url.length > 120 ? `${r.url.slice(0, 120)}…` : r.url} [${r.label}]`;
      // A request that never answers is a failure with its name, not a test that times out saying nothing.
      let timer: NodeJS.Timeout | undefined;
      const res = await Promise.race([
        ctx.app.inject({
          method: r.method as 'GET',
          url: r.url,
          headers: { 'accept-language': 'en', ...(cookie ? { cookie } : {}), ...(r.payload === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(r.payload === undefined ? {} : { payload: r.payload }),
        }),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ANSWER_WITHIN_MS))),
      ]).finally(() => clearTimeout(timer));
      if (!res) {
        failures.push({ request: where, status: 0, body: `no answer within ${ANSWER_WITHIN_MS} ms` });
        continue;
      }
      const body = res.body.length > 300 ? `${res.body.slice(0, 300)}…` : res.body;
      if (res.statusCode < 400) continue;
      let error: { code?: unknown; message?: unknown } | undefined;
      try {
        error = (JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } }).error;
      } catch {
        error = undefined;
      }
      const shaped = typeof error?.code === 'string' && typeof error.message === 'string' && error.message.length > 0;
      if (!shaped || (res.statusCode >= 500 && !UPSTREAM.has(error!.code as string))) failures.push({ request: where, status: res.statusCode, body });
    }
    timing.push([performance.now() - t0, `${route.method} ${route.path}`]);
  }
  if (process.env.SWEEP_TIMING)
    console.log(
      timing
        .sort((a, b) => b[0] - a[0])
        .slice(0, 15)
        .map(([ms, r]) => `${Math.round(ms)}ms ${r}`)
        .join('\n'),
    );
  return { sent, failures };
}

describe('bad-input sweep over every documented route', () => {
  it('finds the routes to sweep in the OpenAPI document', () => {
    expect(routes.length).toBeGreaterThan(80);
    expect(routes.some((r) => r.method === 'PATCH' && r.path === '/api/desk/studios/{id}')).toBe(true);
    // The event streams are known by their documented content type and left out.
    expect(routes.some((r) => r.path === '/api/command/wall/stream' || r.path === '/api/kitchen/wall/stream')).toBe(false);
  });

  it('as an admin: no 5xx, every refusal in the error shape', async () => {
    const admin = await staff(ctx, ['admin']);
    let cookie = admin.cookie;
    // Signing out and ending sessions are among the routes: sign in again when the session went.
    const actor = async () => {
      const token = cookie.split('=')[1]!;
      if (!(await ctx.runtime.services.accounts.authenticate(token))) cookie = (await staff(ctx, ['admin'])).cookie;
      return cookie;
    };
    const { sent, failures } = await sweep(actor);
    expect(sent).toBeGreaterThan(2000);
    expect(failures).toEqual([]);
  }, 240_000);

  it('anonymously: no 5xx, every refusal in the error shape', async () => {
    const { failures } = await sweep(async () => undefined);
    expect(failures).toEqual([]);
  }, 240_000);
});
