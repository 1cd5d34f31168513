import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_PHONE_COUNTRY, PHONE_COUNTRIES } from '../../../contracts/phone.countries.js';

export { DEFAULT_PHONE_COUNTRY };

/** What the API takes (docs/api.md, "Phone numbers"): the number as typed and the picker's country; the server normalises. */
export function phoneBody(country: string, typed: string): { phone: string; country: string } {
  return { phone: typed.trim(), country };
}

/** A light check before a round trip: some digits, nothing but phone punctuation. The server has the real rules. */
export function looksLikePhone(typed: string): boolean {
  const t = typed.trim();
  return /^[+\d\s\-().]+$/.test(t) && (t.match(/\d/g)?.length ?? 0) >= 5;
}

/**
 * Country picker (calling codes, names in the page's language, mainland China first and the
 * default) and the number as people type it: `139 0013 9001`, `139-0013-9001` or `+86…`.
 */
export function PhoneNumberField({
  country,
  onCountryChange,
  value,
  onChange,
  error,
}: {
  country: string;
  onCountryChange: (iso: string) => void;
  value: string;
  onChange: (typed: string) => void;
  error?: string | null;
}) {
  const { t, i18n } = useTranslation();
  const countryId = useId();
  const phoneId = useId();
  const hintId = `${phoneId}-hint`;
  const errId = `${phoneId}-err`;
  const names = useMemo(() => {
    try {
      return new Intl.DisplayNames([i18n.language], { type: 'region' });
    } catch {
      return null;
    }
  }, [i18n.language]);
  return (
    <div className={`field phone-field${error ? ' field-invalid' : ''}`}>
      <div className="phone-row">
        <div className="phone-country">
          <label htmlFor={countryId}>{t('security.country')}</label>
          <select id={countryId} value={country} onChange={(e) => onCountryChange(e.target.value)} autoComplete="tel-country-code">
            {PHONE_COUNTRIES.map((c) => (
              <option key={c.iso} value={c.iso}>
                {t('security.countryOption', { name: names?.of(c.iso) ?? c.iso, code: c.code })}
              </option>
            ))}
          </select>
        </div>
        <div className="phone-number">
          <label htmlFor={phoneId}>{t('auth.phone')}</label>
          <input
            id={phoneId}
            type="tel"
            inputMode="tel"
            autoComplete="tel-national"
            value={value}
            onChange={(e) => onChange(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={[hintId, error ? errId : ''].filter(Boolean).join(' ')}
            required
          />
        </div>
      </div>
      <p id={hintId} className="hint">
        {t('security.phoneHint')}
      </p>
      {error ? (
        <p id={errId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
