import { readFileSync, writeFileSync } from 'node:fs';
import type { JsonSchema } from './openapi.js';

/*
 * The authorization matrix's helpers: request values that a route's schemas accept, and the
 * expected matrix file (route-matrix.expected.json). The routes come from openapi.ts.
 */

/** The path with its `{params}` filled in (a wildcard `{*}` takes the value as is). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return name === '*' ? v : encodeURIComponent(v);
  });
}

/**
 * A value that the schema accepts, smallest first: required properties only, minimum lengths
 * and counts, the first enum member. `named` supplies values for properties by name (real
 * object ids, a grade the campaign knows) where any well-formed value would not do.
 */
export function sampleValue(schema: JsonSchema | undefined, named: Record<string, unknown> = {}, name = ''): unknown {
  if (!schema) return undefined;
  if (name && name in named) return named[name];
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined && schema.default !== null) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt?.length) return sampleValue(alt.find((s) => s.type !== 'null') ?? alt[0], named, name);
  if (schema.allOf?.length) return Object.assign({}, ...schema.allOf.map((s) => sampleValue(s, named, name) as object));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = sampleValue(schema.properties?.[key], named, key);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sampleValue(schema.items, named));
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1));
    case 'boolean':
      return true;
    case 'string':
      return sampleString(schema);
    default:
      return undefined;
  }
}

function sampleString(schema: JsonSchema): string {
  switch (schema.format) {
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    case 'date-time':
      return new Date(Date.now() + 86_400_000).toISOString();
    case 'email':
      return 'someone@example.test';
    case 'uri':
      return 'https://example.test/';
  }
  if (schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return '2099-01-01';
  return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
}

// ---- the expected matrix ----

export const MATRIX_ACTORS = ['anonymous', 'contributorA', 'contributorB', 'otherEditor', 'finance', 'admin'] as const;
export type MatrixActor = (typeof MATRIX_ACTORS)[number];
/** `ok`: let through (any status but 401, 403, 404); otherwise the refusal's status. */
export type Outcome = 'ok' | '401' | '403' | '404';

export function outcomeOf(status: number): Outcome {
  return status === 401 || status === 403 || status === 404 ? (String(status) as Outcome) : 'ok';
}

/**
 * The matrix file: one line per route, `"METHOD /path": "a  b  c  d  e  f"` with one outcome
 * per actor in MATRIX_ACTORS order, so a reviewer reads a route's whole policy on one line.
 */
export function readMatrix(file: string): Map<string, Outcome[]> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return new Map(
    Object.entries(json)
      .filter(([k]) => !k.startsWith('_'))
      .map(([k, v]) => [k, v.trim().split(/\s+/) as Outcome[]]),
  );
}

export function formatMatrix(rows: Map<string, Outcome[]>): string {
  const keys = [...rows.keys()].sort();
  const width = Math.max(...keys.map((k) => k.length));
  const lines = [
    `  "_columns": ${JSON.stringify(MATRIX_ACTORS.join(' '))}`,
    `  "_legend": "ok = let through (any status but 401/403/404); 401, 403, 404 = refused with that status"`,
    ...keys.map(
      (k) =>
        `  ${JSON.stringify(k)}:${' '.repeat(width - k.length + 1)}${JSON.stringify(
          rows
            .get(k)!
            .map((o) => o.padEnd(3))
            .join(' ')
            .trimEnd(),
        )}`,
    ),
  ];
  return `{\n${lines.join(',\n')}\n}\n`;
}

export function writeMatrix(file: string, rows: Map<string, Outcome[]>): void {
  writeFileSync(file, formatMatrix(rows));
}
