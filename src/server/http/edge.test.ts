import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { propagationFixtures } from '../modules/propagation/propagation.fixtures.js';
import { createTestContext, staff, type TestContext } from '../testing/harness.js';
import { API_CSP, PAGE_CSP } from './security-headers.js';

// The edge over a real socket: what Node's parser, Fastify's router and the grab's fast path
// answer before any route runs is only visible there (app.inject skips the server entirely).
let ctx: TestContext;
let base: string;
let port: number;
let admin: { cookie: string };
let submissionId: string;
let campaignId: string;
const scratch = mkdtempSync(path.join(tmpdir(), 'paike-edge-'));

beforeAll(async () => {
  ctx = await createTestContext();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(base).port);
  admin = await staff(ctx, ['admin']);
  const fx = propagationFixtures(ctx);
  campaignId = await fx.campaign();
  submissionId = await fx.video({ userId: await fx.contributor(), campaignId });
  const poster = path.join(scratch, 'poster.jpg');
  writeFileSync(poster, Buffer.alloc(500, 1));
  await ctx.runtime.services.storage.putFile(`submissions/${submissionId}/poster.jpg`, poster);
}, 60_000);

afterAll(async () => {
  await ctx?.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request exactly as written: no URL normalisation (fetch would resolve `..`), any bytes in the body. */
function raw(method: string, pathAndQuery: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: pathAndQuery, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Bytes straight onto a socket, for requests Node's parser refuses; resolves with what came back. */
function socketExchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(Buffer.concat(chunks).toString()) : reject(err),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.write(bytes);
  });
}

function parseRawResponse(text: string): Raw {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function expectError(res: Raw, status: number, code: string) {
  expect(res.status, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

const json = (cookie?: string) => ({ 'content-type': 'application/json', 'accept-language': 'en', ...(cookie ? { cookie } : {}) });

describe('text input at the edge', () => {
  it('refuses a NUL in a path parameter before it reaches the database', async () => {
    const err = expectError(await raw('GET', '/api/campaigns/%00', { headers: { 'accept-language': 'en' } }), 400, 'request.invalid_text');
    expect(err.message).toContain('/params/idOrSlug');
    // In Chinese by default.
    expect(expectError(await raw('GET', '/api/campaigns/a%00b'), 400, 'request.invalid_text').message).toContain('不允许的字符');
  });

  it('refuses a NUL or a lone surrogate anywhere in a JSON body, keys included, and signs nobody up', async () => {
    const signUp = (body: string) => raw('POST', '/api/auth/sign-up/email', { headers: json(), body });
    const email = 'edge-nul@example.test';
    const good = `"email":"${email}","password":"correct horse battery staple"`;
    expectError(await signUp(`{${good},"name":"Ma\\u0000ry"}`), 400, 'request.invalid_text');
    expectError(await signUp(`{${good},"name":"\\ud83d"}`), 400, 'request.invalid_text');
    expectError(await signUp(`{${good},"name":"end \\udc00"}`), 400, 'request.invalid_text');
    expectError(await signUp(`{${good},"name":"Mary","\\u0000":1}`), 400, 'request.invalid_text');
    // A surrogate pair is a character like any other (an emoji in a name).
    const ok = await signUp(`{${good},"name":"Mary \\ud83d\\ude00"}`);
    expect(ok.status, ok.body).toBe(201);
    expect(JSON.parse(ok.body).user.name).toBe('Mary 😀');
  });

  it('refuses them deep in a body the admin sends, so nothing lands in jsonb', async () => {
    const res = await raw('PATCH', `/api/admin/campaigns/${campaignId}`, {
      headers: json(admin.cookie),
      body: JSON.stringify({ title: { 'zh-CN': '标题', en: 'Title' } }).replace('Title', 'Ti\\ud800tle'),
    });
    expect(expectError(res, 400, 'request.invalid_text').message).toContain('/body/title/en');
    const campaign = JSON.parse((await raw('GET', `/api/campaigns/${campaignId}`)).body).campaign;
    expect(campaign.title.en).not.toContain('\ud800');
  });

  it('refuses a NUL in the query string', async () => {
    expectError(await raw('GET', '/api/desk/queue?theme=%00', { headers: json(admin.cookie) }), 400, 'request.invalid_text');
  });

  it('answers a path that is not valid UTF-8 (a surrogate written as CESU-8) with a coded 400', async () => {
    expectError(await raw('GET', '/api/campaigns/%ED%A0%80'), 400, 'request.malformed_url');
  });

  it('refuses them in the text/plain JSON a beacon sends', async () => {
    const res = await raw('POST', '/api/beacons/views', { headers: { 'content-type': 'text/plain' }, body: '{"submissionId":"\\u0000"}' });
    expectError(res, 400, 'request.invalid_text');
  });
});

describe('refusals before a route runs answer {error: {code, message}}', () => {
  it('414 for a path parameter longer than the router keeps', async () => {
    expectError(await raw('GET', `/api/campaigns/${'a'.repeat(2000)}`), 414, 'request.uri_too_long');
  });

  it('431 for headers over the limit, written by the parser handler, with the security headers', async () => {
    const text = await socketExchange(`GET /api/campaigns HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const res = parseRawResponse(text);
    expect(expectError(res, 431, 'request.headers_too_large').message).toBe('The request headers are too large.');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe(API_CSP);
  });

  it('431 too for a URL too long for the parser', async () => {
    const text = await socketExchange(`GET /api/campaigns?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expectError(parseRawResponse(text), 431, 'request.headers_too_large');
  });

  it('400 for a request the parser cannot read', async () => {
    const text = await socketExchange('GET /api/campaigns HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expectError(parseRawResponse(text), 400, 'request.malformed');
  });

  it('416 for a media range past the end of the file, with its Content-Range', async () => {
    const url = `/api/media/submissions/${submissionId}/poster.jpg`;
    const part = await raw('GET', url, { headers: { cookie: admin.cookie, range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(part.body.length).toBe(10);
    const res = await raw('GET', url, { headers: { cookie: admin.cookie, range: 'bytes=900-' } });
    expectError(res, 416, 'request.range_not_satisfiable');
    expect(res.headers['content-range']).toBe('bytes */500');
  });

  it('404, not 500, for a media key the storage guard refuses', async () => {
    for (const key of ['hls/..', 'hls/.', 'hls/a..b/..']) {
      expectError(await raw('GET', `/api/media/submissions/${submissionId}/${key}`, { headers: { cookie: admin.cookie } }), 404, 'request.not_found');
    }
  });
});

describe('security headers', () => {
  it('on API answers: nosniff, no framing, no referrer, nothing loadable', async () => {
    const res = await raw('GET', '/api/campaigns');
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toBe(API_CSP);
  });

  it('on pages: the page CSP with frame-ancestors none', async () => {
    const res = await raw('GET', '/c/some-campaign/join');
    expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(PAGE_CSP).toContain("frame-ancestors 'none'");
    expect(PAGE_CSP).not.toContain("'unsafe-inline'");
    expect(PAGE_CSP).not.toContain("'unsafe-eval'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });

  it('on media: nosniff and no framing, without a CSP that would break a browser’s own viewer', async () => {
    const res = await raw('GET', `/api/media/submissions/${submissionId}/poster.jpg`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('on the red-packet grab’s fast path, which answers ahead of Fastify', async () => {
    const res = await raw('POST', `/api/rain/sessions/${randomUUID()}/grab`, { headers: { 'accept-language': 'en' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(JSON.parse(res.body).error.code).toEqual(expect.any(String));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe(API_CSP);
  });

  it('a NUL in the grab’s path goes to Fastify, which refuses it cleanly', async () => {
    expectError(await raw('POST', '/api/rain/sessions/%00/grab'), 400, 'request.invalid_text');
  });
});

describe('/healthz', () => {
  it('says ok per part and nothing else', async () => {
    const res = await raw('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', database: 'ok', queue: expect.stringMatching(/^ok \((working|send only)\)$/) });
  });

  it('hides a failing database’s error text', async () => {
    const sql = ctx.runtime.services.database.sql;
    const original = sql.query.bind(sql);
    const secret = 'password authentication failed for user "paike_prod" at 10.0.3.7';
    (sql as { query: unknown }).query = async () => {
      throw new Error(secret);
    };
    try {
      const res = await raw('GET', '/healthz');
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'degraded', database: 'error' });
      expect(res.body).not.toContain('paike_prod');
    } finally {
      (sql as { query: unknown }).query = original;
    }
  });
});

describe('PATCH /api/desk/studios/:id', () => {
  it('changes only what is sent: a lead alone keeps the name, members and routes', async () => {
    const editor = await staff(ctx, ['editor']);
    const editorId = editor.user.id;
    const created = await raw('POST', '/api/desk/studios', {
      headers: json(admin.cookie),
      body: JSON.stringify({ name: '边缘工作室', memberIds: [editorId], routes: [{ campaignId, theme: 'food' }] }),
    });
    expect(created.status, created.body).toBe(201);
    const id = JSON.parse(created.body).studio.id as string;
    const patched = await raw('PATCH', `/api/desk/studios/${id}`, { headers: json(admin.cookie), body: JSON.stringify({ leadUserId: editorId }) });
    expect(patched.status, patched.body).toBe(200);
    expect(JSON.parse(patched.body).studio).toMatchObject({
      name: '边缘工作室',
      leadUserId: editorId,
      members: [{ id: editorId }],
      routes: [{ campaignId, theme: 'food' }],
    });
    const cleared = await raw('PATCH', `/api/desk/studios/${id}`, { headers: json(admin.cookie), body: JSON.stringify({ leadUserId: null, memberIds: [] }) });
    expect(JSON.parse(cleared.body).studio).toMatchObject({ name: '边缘工作室', leadUserId: null, members: [], routes: [{ campaignId, theme: 'food' }] });
    expectError(await raw('PATCH', `/api/desk/studios/${id}`, { headers: json(admin.cookie), body: '{}' }), 400, 'request.invalid');
    expectError(
      await raw('PATCH', `/api/desk/studios/${randomUUID()}`, { headers: json(admin.cookie), body: JSON.stringify({ leadUserId: null }) }),
      404,
      'studio.not_found',
    );
  });
});
