import type * as FastifyModule from 'fastify';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from './testing/harness.js';

// Every route the app registers, seen through Fastify's own onRoute hook: the hook is added
// the moment the instance is created, before buildApp registers anything.
const registered = vi.hoisted(() => [] as { method: string; url: string; hide: boolean }[]);
vi.mock('fastify', async (importOriginal) => {
  const original = await importOriginal<typeof FastifyModule>();
  const create = ((opts: unknown) => {
    const app = (original.default as unknown as (o: unknown) => FastifyInstance)(opts);
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) registered.push({ method: method.toUpperCase(), url: route.url, hide: !!route.schema?.hide });
    });
    return app;
  }) as unknown as typeof original.default;
  return { ...original, default: create, fastify: create };
});

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.close();
});

describe('GET /healthz', () => {
  it('reports the database and the job queue as ok', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'ok', database: 'ok' });
    expect(body.queue).toMatch(/^ok/);
  });
});

type Operation = { responses?: Record<string, unknown>; parameters?: { in: string; name: string; required?: boolean }[]; operationId?: string };
type OpenApi = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
};

/** Fastify's `/a/:id/b` and `/a/*` as OpenAPI writes them: `/a/{id}/b`, `/a/{*}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}');

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe('GET /api/openapi.json', () => {
  let doc: OpenApi;
  beforeAll(async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json();
  });

  it('is an OpenAPI 3.1 document', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.info.version).toEqual(expect.any(String));
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    const operationIds: string[] = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      expect(p.startsWith('/'), p).toBe(true);
      const templated = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method)) continue;
        const where = `${method.toUpperCase()} ${p}`;
        // Every operation answers something, with valid status keys.
        expect(Object.keys(op.responses ?? {}).length, `${where} has no responses`).toBeGreaterThan(0);
        for (const status of Object.keys(op.responses ?? {})) expect(status, where).toMatch(/^([1-5](\d\d|XX)|default)$/);
        // Every {param} in the path is declared as a required path parameter.
        const declared = (op.parameters ?? []).filter((x) => x.in === 'path');
        for (const name of templated) {
          const param = declared.find((x) => x.name === name);
          expect(param, `${where} does not declare path parameter ${name}`).toBeDefined();
          expect(param?.required, `${where}: path parameter ${name} must be required`).toBe(true);
        }
        if (op.operationId) operationIds.push(op.operationId);
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('has every $ref pointing at something in the document', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) {
      expect(ref.startsWith('#/'), ref).toBe(true);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      expect(target, `${ref} does not resolve`).toBeDefined();
    }
  });

  it('lists every /api route the app serves, and nothing it does not', () => {
    const hasGet = new Set(registered.filter((r) => r.method === 'GET').map((r) => r.url));
    const served = new Set(
      registered
        // Fastify adds a HEAD twin for every GET; the document lists the GET. A HEAD of its
        // own (tus's offset check) is an operation and must be documented.
        .filter((r) => r.url.startsWith('/api/') && r.url !== '/api/openapi.json' && !(r.method === 'HEAD' && hasGet.has(r.url)))
        .map((r) => `${r.method} ${openApiPath(r.url)}`),
    );
    expect(served.size).toBeGreaterThan(5);
    expect(served).toContain('GET /api/me');
    const documented = new Set(
      Object.entries(doc.paths)
        .filter(([p]) => p.startsWith('/api/'))
        .flatMap(([p, item]) =>
          Object.keys(item)
            .filter((m) => HTTP_METHODS.includes(m))
            .map((m) => `${m.toUpperCase()} ${p}`),
        ),
    );
    const undocumented = [...served].filter((r) => !documented.has(r)).sort();
    const phantom = [...documented].filter((r) => !served.has(r)).sort();
    expect({ undocumented, phantom }).toEqual({ undocumented: [], phantom: [] });
    expect(documented).not.toContain('GET /api/openapi.json');
  });
});

describe('unknown /api address', () => {
  it('answers 404 with a coded error in Chinese by default', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: { code: 'request.not_found', message: '找不到该地址。' } });
  });

  it('answers in English when the browser asks for it', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/no/such/thing?x=1', headers: { 'accept-language': 'en-US,en;q=0.9' }, payload: { a: 1 } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'request.not_found', message: 'No such address.' } });
  });
});
