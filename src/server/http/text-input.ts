import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';

/**
 * A NUL, or a UTF-16 surrogate without its pair. PostgreSQL refuses both (text columns cannot
 * hold 0x00; jsonb refuses `\u0000` and unpaired `\ud800` escapes), so one of them anywhere in
 * a request would otherwise surface as a 500 from whichever query first meets it. Without the
 * `u` flag the pattern reads UTF-16 code units, which is what a lone surrogate is.
 */
const BAD_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Deeper than any body the API accepts (its deepest schema nests about five levels); a deeper
 * one is refused rather than walked or handed on: a free-form JSON field stored as jsonb would
 * otherwise meet PostgreSQL's own depth limit as a 500.
 */
export const MAX_DEPTH = 32;

/** Marks a value nested past MAX_DEPTH in findBadText's answer. */
const TOO_DEEP = '\u0000too-deep';

export function hasBadText(s: string): boolean {
  return BAD_TEXT.test(s);
}

/**
 * Where in `value` the first refused text is (a JSON-pointer-like path under `at`, keys
 * included), or null when there is none.
 */
export function findBadText(value: unknown, at: string, depth = 0): string | null {
  if (typeof value === 'string') return hasBadText(value) ? at : null;
  if (value === null || typeof value !== 'object') return null;
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findBadText(value[i], `${at}/${i}`, depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    // The key as a client sees it is not safe to echo when it is the bad part: name its parent.
    if (hasBadText(key)) return `${at}/(key)`;
    const hit = findBadText(v, `${at}/${key}`, depth + 1);
    if (hit) return hit;
  }
  return null;
}

/**
 * Text input is checked once, at the edge, for every route: path parameters, the query string
 * and the parsed body (whatever parser produced it: JSON, the beacons' text/plain JSON). A
 * request carrying a NUL or a lone surrogate anywhere is refused with 400
 * `request.invalid_text` before validation, authentication of the action, or any query; one
 * nested deeper than MAX_DEPTH with 400 `request.too_deep`.
 * Stripping would be silent data loss in a name or a caption; refusing tells the client.
 * tus uploads are unaffected: their bodies are raw bytes (the parser leaves them unread) and
 * their metadata is checked by the uploads module.
 */
export const textInputPlugin = fp(async (app) => {
  app.addHook('preValidation', async (req) => {
    const where = findBadText(req.params, '/params') ?? findBadText(req.query, '/query') ?? (req.body === undefined ? null : findBadText(req.body, '/body'));
    if (where === TOO_DEEP) throw new AppError('request.too_deep', { max: MAX_DEPTH });
    if (where) {
      const path = where.length > 200 ? `${where.slice(0, 200)}…` : where;
      throw new AppError('request.invalid_text', { where: path }, { details: { path } });
    }
  });
});
