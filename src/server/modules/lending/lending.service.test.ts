import { describe, expect, it } from 'vitest';
import { estimateWaitDays, freeCopies, licenceEnded } from './lending.service.js';
import { createFileTokens } from './lending.token.js';

const now = new Date('2026-12-01T00:00:00Z');
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);

describe('the lending rules', () => {
  it('estimates a wait from the earliest due dates, a whole loan per reader ahead', () => {
    const base = { offers: 0, copies: 2, loanDays: 14, now };
    // Two copies out, due in 3 and 10 days: the first in line waits 3, the second 10, the third 3 + 14.
    expect([1, 2, 3].map((position) => estimateWaitDays({ ...base, dueDates: [inDays(3), inDays(10)], position }))).toEqual([3, 10, 17]);
    // A copy held by an offer counts as a whole loan from now; an idle copy as free now.
    expect(estimateWaitDays({ ...base, dueDates: [inDays(5)], offers: 1, position: 1 })).toBe(5);
    expect(estimateWaitDays({ ...base, dueDates: [inDays(5)], position: 1 })).toBe(0);
    // Copies lowered below the loans out: only the later returns free one.
    expect(estimateWaitDays({ ...base, copies: 1, dueDates: [inDays(2), inDays(6)], position: 1 })).toBe(6);
  });

  it('counts free copies within the checkouts left, and ends the licence on its date or its last checkout', () => {
    const lic = { copies: 3, maxLoans: null, loansUsed: 7, expiresAt: null };
    expect(freeCopies(lic, { active: 1, offered: 1 })).toBe(1);
    expect(freeCopies({ ...lic, maxLoans: 8 }, { active: 0, offered: 1 })).toBe(0);
    expect(licenceEnded({ ...lic, maxLoans: 7 }, now)).toBe(true);
    expect(licenceEnded({ ...lic, expiresAt: now }, now)).toBe(true);
    expect(licenceEnded({ ...lic, expiresAt: inDays(1) }, now)).toBe(false);
  });

  it('reads back only the file tokens it signed', () => {
    const tokens = createFileTokens('secret');
    const t = tokens.issue('0b7c2f2e-8a51-4b7e-9d43-6f1f2b3c4d5e', inDays(1));
    expect(tokens.read(t)).toEqual({ loanId: '0b7c2f2e-8a51-4b7e-9d43-6f1f2b3c4d5e', expiresAt: inDays(1) });
    expect(createFileTokens('other').read(t)).toBeNull();
    expect(tokens.read(t.replace(/\.(\d+)\./, (_m, exp: string) => `.${Number(exp) + 3600}.`))).toBeNull();
  });
});
