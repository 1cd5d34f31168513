import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAYOUT_STATUSES } from '../../../contracts/payouts.js';
import { en } from '../../../web/i18n/en.js';
import { zhCN } from '../../../web/i18n/zh-CN.js';

const SERVER = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'testing' ? [] : sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Every audit action code the server writes: the quoted codes on `action:` lines, and `payout.mark_<status>`. */
function writtenActions(): string[] {
  const codes = new Set<string>();
  for (const file of sources(SERVER)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!/\baction: /.test(line)) continue;
      for (const m of line.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) codes.add(m[1]!);
      if (line.includes('`payout.mark_${')) for (const s of PAYOUT_STATUSES) if (s === 'paid' || s === 'failed') codes.add(`payout.mark_${s}`);
    }
  }
  return [...codes].sort();
}

describe('the audit log names every action in both languages', () => {
  const actions = writtenActions();
  it('finds the codes the server writes', () => {
    expect(actions).toContain('submission.adopt');
    expect(actions).toContain('user.reset_sign_in');
    expect(actions).toContain('payout.mark_failed');
  });
  it.each([
    ['en', en.backOffice.audit],
    ['zh-CN', zhCN.backOffice.audit],
  ] as const)('%s has a sentence for each, and a name for each domain', (_lang, cat) => {
    const actionsCat = cat.actions as Record<string, Record<string, string>>;
    const domains = cat.domains as Record<string, string>;
    const missing = actions.filter((code) => {
      const [domain, verb] = code.split('.') as [string, string];
      return !actionsCat[domain]?.[verb] || !domains[domain];
    });
    expect(missing).toEqual([]);
  });
});
