// No zod here: the sign-in page imports this list and should not pull the schema library in.

/**
 * The country picker's list: mainland China first (the default), then the places contributors
 * most often sign up from. ISO 3166-1 alpha-2 and the ITU calling code; names come from the
 * browser (Intl.DisplayNames) in the page's language. A number from anywhere else is typed
 * with its `+` prefix, which wins over the picker. accounts/phone.test.ts checks every calling
 * code here against libphonenumber-js.
 */
export const PHONE_COUNTRIES = [
  { iso: 'CN', code: '86' },
  { iso: 'HK', code: '852' },
  { iso: 'MO', code: '853' },
  { iso: 'TW', code: '886' },
  { iso: 'US', code: '1' },
  { iso: 'GB', code: '44' },
  { iso: 'CA', code: '1' },
  { iso: 'AU', code: '61' },
  { iso: 'NZ', code: '64' },
  { iso: 'JP', code: '81' },
  { iso: 'KR', code: '82' },
  { iso: 'SG', code: '65' },
  { iso: 'MY', code: '60' },
  { iso: 'TH', code: '66' },
  { iso: 'VN', code: '84' },
  { iso: 'PH', code: '63' },
  { iso: 'ID', code: '62' },
  { iso: 'IN', code: '91' },
  { iso: 'AE', code: '971' },
  { iso: 'DE', code: '49' },
  { iso: 'FR', code: '33' },
  { iso: 'IT', code: '39' },
  { iso: 'ES', code: '34' },
  { iso: 'NL', code: '31' },
  { iso: 'RU', code: '7' },
  { iso: 'BR', code: '55' },
] as const;

export const DEFAULT_PHONE_COUNTRY = 'CN';
