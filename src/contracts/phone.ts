import { z } from 'zod';

export { DEFAULT_PHONE_COUNTRY, PHONE_COUNTRIES } from './phone.countries.js';

/**
 * A phone number as the person typed it: E.164 (`+8613900139001`, spaces and dashes allowed),
 * or a national number (`139 0013 9001`) read in `country`'s numbering plan (mainland China when
 * no country is given). The server normalises it to E.164 and refuses what is not a mobile number
 * (accounts/phone.ts); the schema only bounds the text.
 */
export const phoneInputSchema = z.string().trim().min(1).max(40);
/** ISO 3166-1 alpha-2, e.g. `CN`, `HK`; any country libphonenumber-js knows, not only the picker's. */
export const phoneCountrySchema = z.string().regex(/^[A-Z]{2}$/);
