import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { csvField } from './payout.csv.js';
import { createPayoutCipher, fenToYuan, isPrintableText, maskAccount, maskName, normaliseAccount } from './payout.details.js';
import { manualPayoutProvider } from './payout.provider.js';

const ID = '0b0f6c1e-6a55-4c2e-9a4e-3f1f2b7a9d10';
const OTHER = '7d1c2e3f-1111-4222-8333-944455566677';

describe('payout details', () => {
  it('encrypts with AES-256-GCM bound to the payout id, and refuses a wrong key, a moved or altered ciphertext', () => {
    const cipher = createPayoutCipher('x'.repeat(40));
    const blob = cipher.encrypt(ID, { realName: '张三', account: '6222021234567890' });
    expect(blob).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(blob).not.toContain('6222');
    expect(cipher.decrypt(ID, blob)).toEqual({ realName: '张三', account: '6222021234567890' });
    expect(cipher.encrypt(ID, { realName: '张三', account: '1' })).not.toBe(cipher.encrypt(ID, { realName: '张三', account: '1' }));
    expect(() => cipher.decrypt(OTHER, blob)).toThrow('payout.details_unreadable');
    expect(() => createPayoutCipher('y'.repeat(40)).decrypt(ID, blob)).toThrow('payout.details_unreadable');
    const [v, iv, tag, data] = blob.split(':');
    expect(() => cipher.decrypt(ID, [v, iv, tag, Buffer.from('tampered').toString('base64') + data].join(':'))).toThrow('payout.details_unreadable');
    expect(cipher.fingerprint({ a: 1, b: 'x' })).toBe(cipher.fingerprint({ b: 'x', a: 1 }));
    expect(cipher.fingerprint({ a: 1 })).not.toBe(createPayoutCipher('y'.repeat(40)).fingerprint({ a: 1 }));
  });

  it('masks accounts and names, checks accounts per method, and formats fen as yuan exactly', () => {
    expect(maskAccount('6222021234561234')).toBe('6222 **** **** 1234');
    expect(maskAccount('alice@example.com')).toBe('a***@example.com');
    expect(maskAccount('13800138000')).toBe('138****8000');
    expect(maskAccount('wxid_abcdef89')).toBe('wx***89');
    expect(maskName('张三')).toBe('张*');
    expect(normaliseAccount('bank', '6222 0212 3456 1234')).toBe('6222021234561234');
    expect(normaliseAccount('bank', 'abc')).toBeNull();
    expect(normaliseAccount('alipay', '138 0013 8000')).toBe('13800138000');
    expect(normaliseAccount('alipay', 'nope')).toBeNull();
    expect(normaliseAccount('wechat', 'zhang_sanfeng88')).toBe('zhang_sanfeng88');
    expect(normaliseAccount('wechat', '1x')).toBeNull();
    expect([fenToYuan(5000), fenToYuan(1), fenToYuan(123_456), fenToYuan(0)]).toEqual(['50.00', '0.01', '1234.56', '0.00']);
  });

  it('quotes CSV fields and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('\uFF1D1+1')).toBe("'\uFF1D1+1");
    // A row stored before the printable-text rule: its controls and direction marks go, and cannot hide a formula.
    expect(csvField('\u202E=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('张\u0000三\u2066')).toBe('张三');
    expect(csvField('a\uD800b')).toBe('a\uFFFDb');
  });

  it('tells printable text from controls, direction marks and lone surrogates', () => {
    for (const ok of ['张三', 'José', 'علي حسن', 'می\u200Cخواهم', '😀 emoji', 'O’Brien']) expect(isPrintableText(ok), ok).toBe(true);
    for (const bad of [
      '\u0000',
      'a\tb',
      'a\u0085b',
      '\u200E',
      '\u200F',
      '\u061C',
      '\u202A',
      '\u202E',
      '\u2066',
      '\u2069',
      '\u2028',
      '\uFEFF',
      '\uD83D',
      'x\uDE00',
    ])
      expect(isPrintableText(bad), JSON.stringify(bad)).toBe(false);
  });

  it('requires PAYOUT_DETAILS_KEY in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PAYOUT_DETAILS_KEY/);
    expect(() => loadConfig({ PAYOUT_DETAILS_KEY: 'short' })).toThrow(/PAYOUT_DETAILS_KEY/);
    expect(loadConfig({ NODE_ENV: 'production', PAYOUT_DETAILS_KEY: 'k'.repeat(32) }).PAYOUT_MIN_FEN).toBe(5000);
  });

  it('the manual provider leaves the outcome to finance', async () => {
    expect(await manualPayoutProvider.transfer({ payoutId: ID, amountFen: 5000, method: 'bank', realName: '张三', account: '1' })).toEqual({
      status: 'pending',
      providerRef: `manual:${ID}`,
    });
  });
});
