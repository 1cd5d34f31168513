import { useId, useState } from 'react';
import { Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Campaign } from '../../../contracts/campaigns.js';
import { api, errorMessage } from '../../api/client.js';
import { keys, useCampaigns } from '../../api/queries.js';
import { useDuration } from '../../routes/campaign.js';
import { Alert, Field, TextArea } from '../../ui/Field.js';
import { ErrorState, Loading } from '../../ui/common.js';
import { formatYuan, loc } from '../../ui/format.js';

export interface GeoPoint {
  lat: number;
  lng: number;
  name?: string;
}

export interface Details {
  campaignId: string;
  theme: string;
  title: string;
  description: string;
  location: GeoPoint | null;
  consent: boolean;
}

export type DetailsErrors = Partial<Record<'campaignId' | 'theme' | 'title' | 'consent', string>>;

export const emptyDetails: Details = { campaignId: '', theme: '', title: '', description: '', location: null, consent: false };

export function validateDetails(d: Details, t: (k: string) => string): DetailsErrors {
  const e: DetailsErrors = {};
  if (!d.campaignId) e.campaignId = t('submit.v.campaign');
  if (!d.theme) e.theme = t('submit.v.theme');
  if (!d.title.trim()) e.title = t('submit.v.title');
  if (!d.consent) e.consent = t('submit.v.consent');
  return e;
}

/** tus Upload-Metadata values are strings; empty optional values are left out. */
export function detailsToMetadata(d: Details, file: File): Record<string, string> {
  const m: Record<string, string> = {
    campaignId: d.campaignId,
    theme: d.theme,
    title: d.title.trim(),
    filename: file.name || 'video',
    consent: 'true',
  };
  if (d.description.trim()) m.description = d.description.trim();
  if (d.location) m.location = JSON.stringify(cleanLocation(d.location));
  if (file.type) m.filetype = file.type.slice(0, 100);
  return m;
}

export function cleanLocation(l: GeoPoint): GeoPoint {
  const name = l.name?.trim();
  return { lat: l.lat, lng: l.lng, ...(name ? { name: name.slice(0, 200) } : {}) };
}

/** Duration bounds and reward range, in words: what the contributor agrees to. */
export function CampaignTerms({ c }: { c: Campaign }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const dur = useDuration();
  const rewards = c.rules.grades.map((g) => g.rewardFen);
  const min = Math.min(...rewards);
  const max = Math.max(...rewards);
  return (
    <ul className="terms">
      <li>{t('campaign.duration', { min: dur(c.rules.minDurationSeconds), max: dur(c.rules.maxDurationSeconds) })}</li>
      <li>
        {min === max
          ? t('campaign.rewardSingle', { amount: formatYuan(min, lang) })
          : t('campaign.rewardRange', { min: formatYuan(min, lang), max: formatYuan(max, lang) })}
      </li>
      <li>{t('submit.termsRights')}</li>
    </ul>
  );
}

/** Offered when the contributor has joined no open campaign: joining here keeps them on this page. */
export function JoinFirst() {
  const { t, i18n } = useTranslation();
  const q = useCampaigns();
  const qc = useQueryClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = q.data?.filter((c) => c.status === 'open') ?? [];
  const join = async (c: Campaign) => {
    setBusy(c.id);
    setError(null);
    try {
      await api(`/api/campaigns/${c.id}/join`, { method: 'POST', body: {} });
      await qc.invalidateQueries({ queryKey: keys.myCampaigns });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="card" aria-labelledby="join-first-h">
      <h2 id="join-first-h">{t('submit.joinFirst')}</h2>
      <p>{t('submit.joinFirstText')}</p>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data && open.length === 0 ? <p>{t('home.empty')}</p> : null}
      <ul className="link-list">
        {open.map((c) => (
          <li key={c.id} className="join-row">
            <Link to="/c/$slug" params={{ slug: c.slug }}>
              {loc(c.title, i18n.language)}
            </Link>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy !== null}
              aria-label={t('submit.joinLabel', { title: loc(c.title, i18n.language) })}
              onClick={() => void join(c)}
            >
              {busy === c.id ? t('campaign.joining') : t('campaign.join')}
            </button>
          </li>
        ))}
      </ul>
      {error ? <Alert>{error}</Alert> : null}
    </section>
  );
}

function LocationField({ value, onChange, disabled }: { value: GeoPoint | null; onChange: (l: GeoPoint | null) => void; disabled?: boolean }) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const canLocate = typeof navigator !== 'undefined' && 'geolocation' in navigator;
  const locate = () => {
    setBusy(true);
    setError(null);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setBusy(false);
        // About 1 m is plenty for a news lead and says less about where someone lives.
        const round = (n: number) => Math.round(n * 100_000) / 100_000;
        onChange({ lat: round(pos.coords.latitude), lng: round(pos.coords.longitude), name: value?.name });
      },
      (err) => {
        setBusy(false);
        setError(err.code === err.PERMISSION_DENIED ? t('submit.locationDenied') : t('submit.locationFailed'));
      },
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 300_000 },
    );
  };
  const fmt = new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 4 });
  return (
    <fieldset className="sub">
      <legend>{t('submit.location')}</legend>
      <p className="hint">{t('submit.locationHint')}</p>
      {value ? (
        <>
          <p role="status">{t('submit.locationAdded', { lat: fmt.format(value.lat), lng: fmt.format(value.lng) })}</p>
          <Field
            label={t('submit.locationName')}
            value={value.name ?? ''}
            maxLength={200}
            disabled={disabled}
            onChange={(e) => onChange({ ...value, name: e.target.value })}
          />
          <button type="button" className="btn btn-ghost" disabled={disabled} onClick={() => onChange(null)}>
            {t('submit.locationRemove')}
          </button>
        </>
      ) : canLocate ? (
        <button type="button" className="btn btn-secondary btn-block" onClick={locate} disabled={busy || disabled}>
          {busy ? t('submit.locating') : t('submit.locationAdd')}
        </button>
      ) : (
        <p className="muted">{t('submit.locationUnavailable')}</p>
      )}
      {error ? <Alert>{error}</Alert> : null}
    </fieldset>
  );
}

export function DetailsForm({
  campaigns,
  value,
  onChange,
  errors,
  disabled,
}: {
  campaigns: Campaign[];
  value: Details;
  onChange: (d: Details) => void;
  errors: DetailsErrors;
  disabled?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const campaignSel = useId();
  const themeSel = useId();
  const consentId = useId();
  const campaign = campaigns.find((c) => c.id === value.campaignId);
  const set = (patch: Partial<Details>) => onChange({ ...value, ...patch });
  return (
    <>
      <div className={`field${errors.campaignId ? ' field-invalid' : ''}`}>
        <label htmlFor={campaignSel}>{t('submit.campaign')}</label>
        <select
          id={campaignSel}
          value={value.campaignId}
          disabled={disabled}
          aria-invalid={errors.campaignId ? true : undefined}
          aria-describedby={errors.campaignId ? `${campaignSel}-err` : undefined}
          onChange={(e) => {
            const c = campaigns.find((x) => x.id === e.target.value);
            set({ campaignId: e.target.value, theme: c?.themes.length === 1 ? c.themes[0]!.key : '', consent: false });
          }}
        >
          <option value="">{t('submit.choose')}</option>
          {campaigns.map((c) => (
            <option key={c.id} value={c.id}>
              {loc(c.title, lang)}
            </option>
          ))}
        </select>
        {errors.campaignId ? (
          <p id={`${campaignSel}-err`} className="field-error">
            {errors.campaignId}
          </p>
        ) : null}
      </div>
      <div className={`field${errors.theme ? ' field-invalid' : ''}`}>
        <label htmlFor={themeSel}>{t('submit.theme')}</label>
        <select
          id={themeSel}
          value={value.theme}
          disabled={disabled || !campaign}
          aria-invalid={errors.theme ? true : undefined}
          aria-describedby={errors.theme ? `${themeSel}-err` : undefined}
          onChange={(e) => set({ theme: e.target.value })}
        >
          <option value="">{t('submit.choose')}</option>
          {campaign?.themes.map((th) => (
            <option key={th.key} value={th.key}>
              {loc(th.title, lang)}
            </option>
          ))}
        </select>
        {errors.theme ? (
          <p id={`${themeSel}-err`} className="field-error">
            {errors.theme}
          </p>
        ) : null}
      </div>
      <Field
        label={t('submit.videoTitle')}
        value={value.title}
        maxLength={100}
        required
        disabled={disabled}
        error={errors.title}
        onChange={(e) => set({ title: e.target.value })}
      />
      <TextArea
        label={t('submit.description')}
        value={value.description}
        maxLength={2000}
        disabled={disabled}
        onChange={(e) => set({ description: e.target.value })}
      />
      <LocationField value={value.location} onChange={(location) => set({ location })} disabled={disabled} />
      {campaign ? (
        <fieldset className={`sub consent${errors.consent ? ' field-invalid' : ''}`}>
          <legend>{t('submit.terms')}</legend>
          <CampaignTerms c={campaign} />
          <label className="check consent-check" htmlFor={consentId}>
            <input
              id={consentId}
              type="checkbox"
              checked={value.consent}
              disabled={disabled}
              aria-invalid={errors.consent ? true : undefined}
              aria-describedby={errors.consent ? `${consentId}-err` : undefined}
              onChange={(e) => set({ consent: e.target.checked })}
            />
            <span>{t('submit.consent')}</span>
          </label>
          {errors.consent ? (
            <p id={`${consentId}-err`} className="field-error">
              {errors.consent}
            </p>
          ) : null}
        </fieldset>
      ) : null}
    </>
  );
}
