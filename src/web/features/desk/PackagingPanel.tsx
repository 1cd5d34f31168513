import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.js';
import {
  CHANNEL_LIMITS,
  CHANNELS,
  charCount,
  packagingKeys,
  savePackage,
  TAG_MAX,
  useCovers,
  usePackages,
  type Channel,
  type ChannelPackage,
  type Cover,
} from '../../api/packaging.js';
import { Alert } from '../../ui/Field.js';
import { Tabs } from '../../ui/common.js';
import { formatDateTime } from '../../ui/format.js';
import { formatClock } from '../uploads/media.js';
import { CountedField, lengthProblem, TagInput } from './CountedField.js';

/** "/api/media/<key>" → "<key>": the poster is a valid cover key too. */
export function mediaKey(url: string | null): string | null {
  return url?.startsWith('/api/media/') ? url.slice('/api/media/'.length) : null;
}

export interface CoverOption {
  key: string;
  url: string;
  label: string;
}

export function coverOptions(covers: Cover[] | undefined, posterUrl: string | null, t: (k: string, o?: Record<string, unknown>) => string): CoverOption[] {
  const out: CoverOption[] = [];
  const posterKey = mediaKey(posterUrl);
  if (posterKey && posterUrl) out.push({ key: posterKey, url: posterUrl, label: t('pack.poster') });
  for (const c of covers ?? []) out.push({ key: c.key, url: c.url, label: t('pack.frameAt', { time: formatClock(c.atSeconds) }) });
  return out;
}

/** Candidate frames as a radio group of thumbnails. */
export function CoverPicker({
  name,
  options,
  value,
  onChange,
  pending,
  error,
  disabled,
}: {
  name: string;
  options: CoverOption[];
  value: string | null;
  onChange: (key: string) => void;
  pending: boolean;
  error: unknown;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="cover-picker" disabled={disabled}>
      <legend>{t('pack.cover')}</legend>
      {pending ? <p className="muted small">{t('pack.coversMaking')}</p> : null}
      {error ? <Alert>{errorMessage(error)}</Alert> : null}
      <div className="cover-grid">
        {options.map((o) => (
          <label key={o.key} className={`cover-option${value === o.key ? ' is-checked' : ''}`}>
            <input type="radio" name={name} value={o.key} checked={value === o.key} onChange={() => onChange(o.key)} aria-label={o.label} />
            <img src={o.url} alt="" loading="lazy" />
            <span className="cover-caption" aria-hidden="true">
              {o.label}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

interface Draft {
  headline: string;
  summary: string;
  tags: string[];
  coverKey: string | null;
  credit: string;
}

function ChannelForm({
  id,
  channel,
  saved,
  initial,
  options,
  coversPending,
  coversError,
  hidden,
}: {
  id: string;
  channel: Channel;
  saved: ChannelPackage | undefined;
  initial: Draft;
  options: CoverOption[];
  coversPending: boolean;
  coversError: unknown;
  hidden: boolean;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const lim = CHANNEL_LIMITS[channel];
  const [d, setD] = useState<Draft>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setDone(null);
    setD((old) => ({ ...old, [k]: v }));
  };
  const invalid =
    !!lengthProblem(d.headline, lim.headline[1], lim.headline[0]) ||
    !!lengthProblem(d.summary, lim.summary) ||
    !!lengthProblem(d.credit, lim.credit) ||
    d.tags.length > lim.tags ||
    d.tags.some((x) => charCount(x) > TAG_MAX);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (invalid || busy) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const body = { headline: d.headline.trim(), summary: d.summary.trim(), tags: lim.tags ? d.tags : [], coverKey: d.coverKey, credit: d.credit.trim() };
      const pkg = await savePackage(id, channel, body);
      qc.setQueryData<ChannelPackage[]>(packagingKeys.packages(id), (old) => [...(old ?? []).filter((p) => p.channel !== channel), pkg]);
      setDone(t('pack.savedMsg', { channel: t(`channel.${channel}`) }));
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      role="tabpanel"
      id={`pack-panel-${channel}`}
      aria-labelledby={`pack-tab-${channel}`}
      hidden={hidden}
      onSubmit={(e) => void submit(e)}
      className="pack-form"
      noValidate
    >
      <div className="pack-fields">
        <div>
          <CountedField label={t('pack.headline')} value={d.headline} onChange={(v) => set('headline', v)} max={lim.headline[1]} min={lim.headline[0]} />
          <CountedField label={t('pack.summary')} value={d.summary} onChange={(v) => set('summary', v)} max={lim.summary} multiline />
          <div className="pack-row">
            <TagInput label={t('pack.tags')} tags={d.tags} onChange={(v) => set('tags', v)} max={lim.tags} />
            <CountedField label={t('pack.credit')} value={d.credit} onChange={(v) => set('credit', v)} max={lim.credit} />
          </div>
        </div>
        <CoverPicker
          name={`cover-${channel}`}
          options={options}
          value={d.coverKey}
          onChange={(k) => set('coverKey', k)}
          pending={coversPending}
          error={coversError}
        />
      </div>
      {error ? <Alert>{error}</Alert> : null}
      {done ? <Alert tone="success">{done}</Alert> : null}
      <div className="pack-actions">
        <button type="submit" className="btn btn-primary btn-sm" disabled={invalid || busy}>
          {busy ? t('common.saving') : t('pack.save', { channel: t(`channel.${channel}`) })}
        </button>
        <span className="muted small">{saved ? t('pack.savedAt', { at: formatDateTime(saved.updatedAt, i18n.language) }) : t('pack.notSaved')}</span>
      </div>
    </form>
  );
}

/** Per-channel packaging of an adopted video: one tab per channel, each within that channel's limits. */
export function PackagingPanel({ id, title, description, posterUrl }: { id: string; title: string; description: string | null; posterUrl: string | null }) {
  const { t } = useTranslation();
  const [active, setActive] = useState<Channel>('app');
  const packages = usePackages(id);
  const covers = useCovers(id);
  const options = coverOptions(covers.data, posterUrl, t);
  const byChannel = new Map((packages.data ?? []).map((p) => [p.channel, p]));
  const app = byChannel.get('app');
  return (
    <section className="desk-panel packaging" aria-labelledby="pack-h">
      <h2 id="pack-h">{t('pack.title')}</h2>
      {packages.isPending ? <p className="muted small">{t('common.loading')}</p> : null}
      {packages.isError ? <Alert>{errorMessage(packages.error)}</Alert> : null}
      {packages.isSuccess ? (
        <>
          <Tabs
            label={t('pack.channels')}
            idPrefix="pack"
            active={active}
            onChange={(c) => setActive(c as Channel)}
            tabs={CHANNELS.map((c) => ({ id: c, label: `${t(`channel.${c}`)}${byChannel.has(c) ? ' ✓' : ''}` }))}
          />
          {CHANNELS.map((c) => {
            const saved = byChannel.get(c);
            const base = saved ?? app;
            const initial: Draft = {
              headline: base?.headline ?? title,
              summary: base?.summary ?? description ?? '',
              tags: base?.tags ?? [],
              coverKey: base?.coverKey ?? null,
              credit: base?.credit ?? '',
            };
            return (
              <ChannelForm
                key={c}
                id={id}
                channel={c}
                saved={saved}
                initial={initial}
                options={options}
                coversPending={covers.isPending}
                coversError={covers.isError ? covers.error : null}
                hidden={c !== active}
              />
            );
          })}
        </>
      ) : null}
    </section>
  );
}
