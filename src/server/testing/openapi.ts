/**
 * Every operation of the OpenAPI document the app serves (`/api/openapi.json`), with what a test
 * needs to call it. The authorization matrix (route-matrix.test.ts) and the bad-input sweep
 * (http/bad-input.sweep.test.ts) both start here, so a route is in both the day it is documented.
 */

/** The part of JSON Schema the app's OpenAPI uses (zod's output). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  $ref?: string;
}

interface OpenApiParameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  security?: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface OpenApiRoute {
  /** `METHOD /path/{param}`: the matrix's key. */
  key: string;
  method: string;
  /** The OpenAPI path template, e.g. `/api/desk/submissions/{id}`. */
  path: string;
  pathParams: { name: string; schema: JsonSchema }[];
  query: { name: string; required: boolean; schema: JsonSchema }[];
  /** Required request headers (a rain token) and their schemas. */
  headers: { name: string; schema: JsonSchema }[];
  /** The JSON body's schema, when the operation takes one. */
  body?: JsonSchema;
  /** What the document says about credentials: the session, the session optional, or none. */
  security: 'session' | 'optional' | 'public';
  /** The answer is a server-sent event stream: it stays open, so a sweep that awaits it never returns. */
  eventStream: boolean;
}

const METHODS = new Set(['get', 'head', 'post', 'put', 'patch', 'delete', 'options']);

function deref(doc: OpenApiDocument, s: JsonSchema): JsonSchema {
  if (!s.$ref) return s;
  return doc.components?.schemas?.[s.$ref.replace('#/components/schemas/', '')] ?? {};
}

function securityOf(sec: OpenApiOperation['security']): OpenApiRoute['security'] {
  // No `security` on the operation: the document's default, the session.
  if (sec === undefined) return 'session';
  if (sec.length === 0 || !sec.some((r) => 'session' in r)) return 'public';
  return sec.some((r) => !Object.keys(r).length) ? 'optional' : 'session';
}

/** The document's operations, in a stable order (path, then method). */
export function openApiRoutes(doc: OpenApiDocument): OpenApiRoute[] {
  const out: OpenApiRoute[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      if (!METHODS.has(m)) continue;
      const method = m.toUpperCase();
      const params = op.parameters ?? [];
      const schemaOf = (p: OpenApiParameter) => deref(doc, p.schema ?? {});
      const body = op.requestBody?.content?.['application/json']?.schema;
      out.push({
        key: `${method} ${path}`,
        method,
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: schemaOf(p) })),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: !!p.required, schema: schemaOf(p) })),
        headers: params.filter((p) => p.in === 'header' && p.required).map((p) => ({ name: p.name, schema: schemaOf(p) })),
        ...(body ? { body: deref(doc, body) } : {}),
        security: securityOf(op.security),
        eventStream: JSON.stringify(op.responses ?? {}).includes('text/event-stream'),
      });
    }
  }
  return out.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
}
