import { randomUUID } from 'node:crypto';
import type { JsonSchema, OpenApiRoute } from './openapi.js';

/**
 * Every operation of the OpenAPI document, and hostile variants of a plausible request to each:
 * the bad-input sweep (http/bad-input.sweep.test.ts) sends them all and expects no 5xx.
 * The routes come from openapi.ts, so a new route is swept the day it is documented.
 */

/** Values a sweep knows to exist, so a plausible request reaches past "not found". */
export interface SweepHints {
  /** A value for a path or query parameter, by its name and the route's path; undefined: make one up. */
  param(name: string, routePath: string): string | undefined;
}

const PATTERN_CANDIDATES = ['sweep-a1', 'ab', 'Abc_1234-x', '123456', '+8613800138000', '2026-12-02', '12:30', 'abcdef12', 'a', 'A'];

/** A plausible value for a schema: valid where the sweep can tell, so each mutation is the only fault. */
export function exampleFor(s: JsonSchema, hint?: string, hints?: SweepHints): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  const branch = s.anyOf ?? s.oneOf;
  if (branch?.length) return exampleFor(branch.find((b) => b.type !== 'null') ?? branch[0]!, hint, hints);
  if (s.allOf?.length) return exampleFor(s.allOf[0]!, hint, hints);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string': {
      if (hint !== undefined) return hint;
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'date') return new Date().toISOString().slice(0, 10);
      if (s.format === 'email') return `sweep-${randomUUID().slice(0, 8)}@example.test`;
      if (s.pattern) {
        const re = new RegExp(s.pattern, 'u');
        const hit = PATTERN_CANDIDATES.find((c) => re.test(c));
        if (hit) return hit;
      }
      const min = s.minLength ?? 1;
      return 'sweep value'.padEnd(min, 'x').slice(0, Math.max(min, Math.min(s.maxLength ?? 11, 11)));
    }
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
      return Math.min(lo, s.maximum ?? lo);
    }
    case 'boolean':
      return true;
    case 'array': {
      const n = Math.max(s.minItems ?? 1, 1);
      return Array.from({ length: Math.min(n, s.maxItems ?? n) }, () => exampleFor(s.items ?? {}, undefined, hints));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      // A property named like a known object (campaignId) gets that object's id.
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = exampleFor(v, v.format === 'uuid' ? hints?.param(k, '') : undefined, hints);
      return out;
    }
    default:
      return 'sweep';
  }
}

export interface SweepRequest {
  /** What is wrong with it, for the failure report. */
  label: string;
  method: string;
  url: string;
  /** A raw body (already serialised), sent as application/json. */
  payload?: string;
}

/** Hostile strings for a path segment or a query value, already percent-encoded. */
const BAD_SEGMENTS: [string, string][] = [
  ['NUL', '%00'],
  ['NUL inside', 'a%00b'],
  ['lone surrogate (CESU-8)', '%ED%A0%80'],
  ['invalid UTF-8', '%FF%FE'],
  ['overlong dot', '%C0%AE'],
  ['dot-dot', '..'],
  ['huge', 'x'.repeat(5000)],
  ['negative', '-1'],
  ['NaN', 'NaN'],
  ['out of range', '99999999999999999999999999'],
  ['1e309', '1e309'],
  ['quote', "'%22%3B--"],
  ['space', '%20'],
];

/** Hostile JSON values in place of a leaf of a valid body, by the leaf's kind. */
function badLeaves(value: unknown): [string, unknown][] {
  const common: [string, unknown][] = [['null', null]];
  if (typeof value === 'string') {
    return [
      ...common,
      ['NUL string', 'a\u0000b'],
      ['lone high surrogate', 'a\ud800'],
      ['lone low surrogate', '\udc00z'],
      // Past every maxLength the API sets, well inside the body limit.
      ['huge string', 'x'.repeat(50_000)],
      ['number for string', 12345],
      ['empty string', ''],
    ];
  }
  if (typeof value === 'number') {
    return [...common, ['negative', -1], ['huge number', 1e308], ['beyond 2^53', 2 ** 53 + 2], ['fraction', 0.5], ['numeric string', '1']];
  }
  if (typeof value === 'boolean') return [...common, ['string for boolean', 'yes']];
  // Past every maxItems the API sets (200).
  if (Array.isArray(value)) return [...common, ['object for array', {}], ['many items', Array.from({ length: 300 }, () => value[0] ?? 'x')]];
  if (value && typeof value === 'object') return [...common, ['string for object', 'x'], ['NUL key', { ...value, '\u0000': 1 }]];
  return common;
}

function leafPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => i === 0 && out.push(...leafPaths(v, [...at, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...leafPaths(v, [...at, k]));
  return out;
}

function replaced(root: unknown, at: (string | number)[], value: unknown, remove = false): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of at.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (remove) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value;
  return copy;
}

/** The plausible request to a route and every hostile variant of it. */
export function sweepRequests(route: OpenApiRoute, hints: SweepHints): SweepRequest[] {
  const paramValue = (name: string, schema: JsonSchema) => String(exampleFor(schema, hints.param(name, route.path)));
  const good: Record<string, string> = Object.fromEntries(route.pathParams.map((p) => [p.name, encodeURIComponent(paramValue(p.name, p.schema))]));
  // The wildcard is a key path: keep its slashes.
  if ('*' in good) good['*'] = decodeURIComponent(good['*']!);
  const pathWith = (over: Record<string, string> = {}) => route.path.replace(/\{([^}]+)\}/g, (_, name: string) => over[name] ?? good[name] ?? 'x');
  const goodQuery = route.query.filter((q) => q.required).map((q) => `${q.name}=${encodeURIComponent(paramValue(q.name, q.schema))}`);
  const qs = (parts: string[]) => (parts.length ? `?${parts.join('&')}` : '');
  const url = pathWith() + qs(goodQuery);
  const baseBody = route.body ? exampleFor(route.body, undefined, hints) : undefined;
  const goodPayload = baseBody === undefined ? undefined : JSON.stringify(baseBody);
  const req = (label: string, u: string, payload = goodPayload): SweepRequest => ({
    label,
    method: route.method,
    url: u,
    ...(payload === undefined ? {} : { payload }),
  });

  const out: SweepRequest[] = [req('plausible', url)];
  for (const p of route.pathParams) {
    for (const [label, bad] of BAD_SEGMENTS) out.push(req(`path ${p.name}: ${label}`, pathWith({ [p.name]: bad }) + qs(goodQuery)));
  }
  if (route.pathParams.some((p) => p.name === '*')) {
    for (const tail of ['hls/..', 'hls/%00.m3u8', 'hls/../../../../etc/passwd', 'poster.jpg%00', '%2e%2e/%2e%2e']) {
      out.push(req(`wildcard: ${tail}`, pathWith({ '*': `${good['*']!.split('/').slice(0, 2).join('/')}/${tail}` })));
    }
  }
  for (const q of route.query) {
    const others = goodQuery.filter((x) => !x.startsWith(`${q.name}=`));
    for (const [label, bad] of BAD_SEGMENTS) out.push(req(`query ${q.name}: ${label}`, pathWith() + qs([...others, `${q.name}=${bad}`])));
    out.push(req(`query ${q.name}: repeated`, pathWith() + qs([...others, `${q.name}=a`, `${q.name}=b`])));
    out.push(req(`query ${q.name}: empty`, pathWith() + qs([...others, `${q.name}=`])));
  }
  out.push(req('query: unknown key with NUL', pathWith() + qs([...goodQuery, 'zz%00=%00'])));

  if (route.body) {
    for (const [label, payload] of [
      ['body: malformed JSON', '{"a":'],
      ['body: NaN literal', '{"a": NaN}'],
      ['body: empty', ''],
      ['body: null', 'null'],
      ['body: array', '[]'],
      ['body: string', '"\\u0000"'],
      ['body: {}', '{}'],
      ['body: deeply nested', `${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['body: raw NUL byte', '{"a":"\u0000"}'],
    ] as const) {
      out.push(req(label, url, payload));
    }
    for (const at of leafPaths(baseBody)) {
      if (at.length === 0) continue;
      const where = at.join('.');
      const current = at.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], baseBody);
      for (const [label, bad] of badLeaves(current)) out.push(req(`body ${where}: ${label}`, url, JSON.stringify(replaced(baseBody, at, bad))));
      out.push(req(`body ${where}: missing`, url, JSON.stringify(replaced(baseBody, at, undefined, true))));
    }
  }
  return out;
}
