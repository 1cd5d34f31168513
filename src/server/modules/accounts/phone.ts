import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type NumberType } from 'libphonenumber-js/max';
import { DEFAULT_PHONE_COUNTRY } from '../../../contracts/phone.countries.js';
import { AppError } from '../../lib/errors.js';

// Numbers that cannot receive a text message. Everything else that is valid is accepted,
// including FIXED_LINE_OR_MOBILE (the US and Canada cannot tell the two apart by number).
const NO_SMS: ReadonlySet<NumberType> = new Set(['FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'UAN', 'VOICEMAIL', 'PAGER']);

/**
 * The one way a typed phone number becomes the E.164 string that is stored and texted:
 * `139 0013 9001`, `139-0013-9001`, `(139) 0013 9001` and `+86 139 0013 9001` all give
 * `+8613900139001`. A leading `+` (or `00`) wins over `country`. The "max" metadata checks
 * each country's real number ranges, so `12345678901` is refused, not stored.
 */
export function normalizePhone(raw: string, country?: string): string {
  const region = (country ?? DEFAULT_PHONE_COUNTRY).toUpperCase();
  if (!isSupportedCountry(region)) throw new AppError('phone.country_unknown', { country: region });
  const text = raw.trim().replace(/^00(?=[1-9])/, '+');
  // Letters are refused, not read as vanity digits (`139CALLME`) or an extension (`x12`).
  if (/\p{L}/u.test(text)) throw new AppError('phone.invalid');
  const parsed = parsePhoneNumberFromString(text, region as CountryCode);
  if (!parsed || !parsed.isValid() || parsed.ext) throw new AppError('phone.invalid');
  const type = parsed.getType();
  if (type && NO_SMS.has(type)) throw new AppError('phone.not_mobile');
  return parsed.number;
}
