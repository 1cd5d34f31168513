import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { messages, type MessageCode } from './messages.js';

describe('status of a coded error', () => {
  it('answers 404 for every "no such thing" code in the catalogue, whatever its module calls it', () => {
    const missing = (Object.keys(messages) as MessageCode[]).filter((c) => /not_found$/.test(c));
    expect(missing).toEqual(expect.arrayContaining(['rain.session_not_found', 'rain.grab_not_found', 'ledger.account_not_found', 'ledger.transfer_not_found']));
    for (const code of missing) expect([code, new AppError(code).status]).toEqual([code, 404]);
  });

  it('keeps the other mappings: out of scope is 403, a plain rule is 400', () => {
    expect(new AppError('desk.out_of_scope').status).toBe(403);
    expect(new AppError('auth.required').status).toBe(401);
    expect(new AppError('package.bad_cover').status).toBe(400);
  });
});
