import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { MAX_ENTRIES, netByAccount, validateTransfer, type PostTransferInput } from './ledger.service.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const ok: PostTransferInput = {
  idempotencyKey: 'k',
  kind: 'adoption_reward',
  entries: [
    { accountId: A, amountFen: -500 },
    { accountId: B, amountFen: 500 },
  ],
};

function refused(input: Partial<PostTransferInput>): string {
  try {
    validateTransfer({ ...ok, ...input } as PostTransferInput);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('ledger.invalid_transfer');
    expect((err as AppError).status).toBe(400);
    return String((err as AppError).params.detail);
  }
  throw new Error('accepted');
}

describe('transfer rules', () => {
  it('accepts a balanced transfer of whole fen between two or more accounts', () => {
    expect(() => validateTransfer(ok)).not.toThrow();
    expect(() =>
      validateTransfer({
        ...ok,
        entries: [
          { accountId: A, amountFen: -3 },
          { accountId: B, amountFen: 1 },
          { accountId: B, amountFen: 2 },
        ],
      }),
    ).not.toThrow();
  });

  it('refuses fewer than two entries, zero, fractional, unsafe or huge amounts, and a non-zero sum', () => {
    expect(refused({ entries: [] })).toMatch(/two entries/);
    expect(refused({ entries: [{ accountId: A, amountFen: 0 }] })).toMatch(/two entries/);
    expect(
      refused({
        entries: [
          { accountId: A, amountFen: 0 },
          { accountId: B, amountFen: 0 },
        ],
      }),
    ).toMatch(/zero/);
    expect(
      refused({
        entries: [
          { accountId: A, amountFen: -1.5 },
          { accountId: B, amountFen: 1.5 },
        ],
      }),
    ).toMatch(/whole fen/);
    expect(
      refused({
        entries: [
          { accountId: A, amountFen: Number.NaN },
          { accountId: B, amountFen: 1 },
        ],
      }),
    ).toMatch(/whole fen/);
    expect(
      refused({
        entries: [
          { accountId: A, amountFen: -(2 ** 60) },
          { accountId: B, amountFen: 2 ** 60 },
        ],
      }),
    ).toMatch(/whole fen/);
    expect(
      refused({
        entries: [
          { accountId: A, amountFen: -1e14 },
          { accountId: B, amountFen: 1e14 },
        ],
      }),
    ).toMatch(/range/);
    expect(
      refused({
        entries: [
          { accountId: A, amountFen: '-5' as unknown as number },
          { accountId: B, amountFen: 5 },
        ],
      }),
    ).toMatch(/whole fen/);
    expect(
      refused({
        entries: [
          { accountId: A, amountFen: -5 },
          { accountId: B, amountFen: 4 },
        ],
      }),
    ).toMatch(/sum to -1/);
    const many = Array.from({ length: MAX_ENTRIES + 2 }, (_, i) => ({ accountId: i % 2 ? A : B, amountFen: i % 2 ? 1 : -1 }));
    expect(refused({ entries: many })).toMatch(/at most/);
  });

  it('refuses a bad key, kind, account id, refs, and a reversal without its original (or the reverse)', () => {
    expect(refused({ idempotencyKey: '' })).toMatch(/key/);
    expect(refused({ idempotencyKey: 'x'.repeat(201) })).toMatch(/key/);
    expect(refused({ kind: 'gift' as never })).toMatch(/kind/);
    expect(
      refused({
        entries: [
          { accountId: 'nope', amountFen: -1 },
          { accountId: B, amountFen: 1 },
        ],
      }),
    ).toMatch(/uuid/);
    expect(refused({ refs: [] as never })).toMatch(/refs/);
    expect(refused({ kind: 'reversal' })).toMatch(/reversal/);
    expect(refused({ reversesTransferId: A })).toMatch(/reversal/);
    expect(() => validateTransfer({ ...ok, kind: 'reversal', reversesTransferId: A })).not.toThrow();
  });

  it('nets several entries on one account', () => {
    expect(
      netByAccount([
        { accountId: A, amountFen: -3 },
        { accountId: B, amountFen: 1 },
        { accountId: B, amountFen: 2 },
      ]),
    ).toEqual(
      new Map([
        [A, -3],
        [B, 3],
      ]),
    );
  });
});
