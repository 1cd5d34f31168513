import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The shared skeleton of the local fake platforms that contract tests run the real adapters
 * against: an HTTP server on 127.0.0.1, a route table, a request log, and fault switches a test
 * flips (platform down, rate limited). Each fake (wechat.fake.ts …) supplies the platform's
 * documented endpoints, shapes, limits and error codes.
 */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The body parsed as JSON (or {} when it is not JSON). */
  json(): Record<string, unknown>;
  /** The body parsed as multipart/form-data or x-www-form-urlencoded. */
  form(): Promise<FormData>;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

export type FakeRoute = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakePlatform {
  url: string;
  /** Every request received, in order (method, path, query) — for assertions like "posted once". */
  readonly log: { method: string; path: string; query: Record<string, string> }[];
  /** While set, every request gets HTTP 503 (the platform is down). */
  down: boolean;
  /** The next `n` requests to `path` (or any path) get the reply instead of being served. */
  failNext(reply: FakeReply, n?: number, path?: string): void;
  count(path: string, method?: string): number;
  close(): Promise<void>;
}

export async function startFakePlatform(routes: Record<string, FakeRoute>): Promise<FakePlatform> {
  const log: FakePlatform['log'] = [];
  const failures: { reply: FakeReply; left: number; path?: string }[] = [];
  const state = { down: false };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    log.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) });
    const send = (r: FakeReply) => {
      const headers: Record<string, string> = { ...r.headers };
      let payload = r.text ?? '';
      if (r.json !== undefined) {
        headers['content-type'] ??= 'application/json; charset=utf-8';
        payload = JSON.stringify(r.json);
      }
      res.writeHead(r.status ?? 200, headers).end(payload);
    };
    if (state.down) return send({ status: 503, text: 'Service Unavailable' });
    const failure = failures.find((f) => f.left > 0 && (!f.path || f.path === url.pathname));
    if (failure) {
      failure.left -= 1;
      return send(failure.reply);
    }
    const route = routes[`${req.method} ${url.pathname}`];
    if (!route) return send({ status: 404, json: { error: `no such endpoint: ${req.method} ${url.pathname}` } });
    const fakeReq: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      json() {
        try {
          const v: unknown = JSON.parse(body.toString('utf8'));
          return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
        } catch {
          return {};
        }
      },
      form: () => new Request('http://fake/', { method: 'POST', headers: { 'content-type': String(req.headers['content-type'] ?? '') }, body }).formData(),
    };
    send(await route(fakeReq));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    failNext(reply, n = 1, path) {
      failures.push({ reply, left: n, path });
    },
    count: (path, method) => log.filter((l) => l.path === path && (!method || l.method === method)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
