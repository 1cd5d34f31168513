import { getCountryCallingCode, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { PHONE_COUNTRIES } from '../../../contracts/phone.countries.js';
import { AppError } from '../../lib/errors.js';
import { normalizePhone } from './phone.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
};

describe('normalizePhone', () => {
  it('reads a mainland mobile number however it is typed', () => {
    for (const typed of [
      '13900139001',
      '139 0013 9001',
      '139-0013-9001',
      ' (139) 0013 9001 ',
      '+86 139 0013 9001',
      '+86-139-0013-9001',
      '0086 139 0013 9001',
      '+8613900139001',
    ]) {
      expect(normalizePhone(typed), typed).toBe('+8613900139001');
      expect(normalizePhone(typed, 'CN'), typed).toBe('+8613900139001');
    }
  });

  it('reads national numbers in the chosen country, and a + prefix wins over the picker', () => {
    expect(normalizePhone('9123 4567', 'HK')).toBe('+85291234567');
    expect(normalizePhone('6612 3456', 'MO')).toBe('+85366123456');
    expect(normalizePhone('0912 345 678', 'TW')).toBe('+886912345678');
    expect(normalizePhone('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(normalizePhone('07911 123456', 'GB')).toBe('+447911123456');
    expect(normalizePhone('+44 7911 123456', 'CN')).toBe('+447911123456');
    expect(normalizePhone('0151 12345678', 'DE')).toBe('+4915112345678');
  });

  it('refuses what is not a mobile number: wrong length, impossible ranges, landlines, letters, unknown countries', () => {
    expect(codeOf(() => normalizePhone('1390013900'))).toBe('phone.invalid'); // 10 digits
    expect(codeOf(() => normalizePhone('139001390011'))).toBe('phone.invalid'); // 12 digits
    expect(codeOf(() => normalizePhone('12345678901'))).toBe('phone.invalid'); // no 12x mobile range
    expect(codeOf(() => normalizePhone('139CALLME01'))).toBe('phone.invalid');
    expect(codeOf(() => normalizePhone('13900139001 x12'))).toBe('phone.invalid');
    expect(codeOf(() => normalizePhone('+999 1234 5678'))).toBe('phone.invalid');
    expect(codeOf(() => normalizePhone('---'))).toBe('phone.invalid');
    expect(codeOf(() => normalizePhone('010 1234 5678'))).toBe('phone.not_mobile'); // a Beijing landline
    expect(codeOf(() => normalizePhone('400 810 8888'))).toBe('phone.not_mobile'); // a 400 service number
    expect(codeOf(() => normalizePhone('13900139001', 'ZZ'))).toBe('phone.country_unknown');
  });

  it('the country picker lists calling codes that libphonenumber agrees with, mainland China first', () => {
    expect(PHONE_COUNTRIES[0]).toEqual({ iso: 'CN', code: '86' });
    expect(new Set(PHONE_COUNTRIES.map((c) => c.iso)).size).toBe(PHONE_COUNTRIES.length);
    for (const c of PHONE_COUNTRIES) {
      expect(isSupportedCountry(c.iso), c.iso).toBe(true);
      expect(getCountryCallingCode(c.iso as CountryCode), c.iso).toBe(c.code);
    }
  });
});
