import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { KioskFleetScreen } from '../../../../contracts/kiosk.js';
import { CONTENT_SOURCES } from '../../../../contracts/kiosk.limits.js';
import { LAYER_KINDS, type IsoWeekday, type LayerKind } from '../../../../contracts/kiosk.schedule.js';
import { errorMessage } from '../../../api/client.js';
import { createLayer, deleteLayer, kioskKeys, useKioskSchedule, type KioskLayerInput, type ScheduleView } from '../../../api/kiosk.js';
import { Alert, Field } from '../../../ui/Field.js';
import { ErrorState, Loading } from '../../../ui/common.js';

const DAYS: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];
const time = (iso: string, tz: string, lang: string) =>
  new Intl.DateTimeFormat(lang, { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));

/**
 * One screen's schedule on the admin page (docs/kiosk.md, "Schedules"): what plays now and when
 * that changes, the next 24 hours as a bar of spans, its layers (its own and its group's), and a
 * form to add one. Computed by the server with the resolver the kiosk itself runs.
 */
export function KioskSchedule({ screen }: { screen: KioskFleetScreen }) {
  const { t, i18n } = useTranslation();
  const q = useKioskSchedule(screen.id);
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const reload = () => qc.invalidateQueries({ queryKey: ['admin', 'kiosk-schedule', screen.id] });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const s = q.data;
  const name = (id: string | null) => s.layers.find((l) => l.id === id)?.name ?? t('kioskAdmin.schedule.nothing');
  const remove = async (id: string) => {
    setError(null);
    try {
      await deleteLayer(id);
      await reload();
    } catch (x) {
      setError(errorMessage(x));
    }
  };
  return (
    <section className="kiosk-schedule" aria-label={t('kioskAdmin.schedule.title', { name: screen.name })}>
      <p data-testid="schedule-now">
        <strong>{t('kioskAdmin.schedule.now')}</strong> {s.now.dark ? t('kioskAdmin.dark') : name(s.now.layer?.id ?? null)}
        {s.nextChangeAt ? <> · {t('kioskAdmin.schedule.until', { time: time(s.nextChangeAt, s.timeZone, i18n.language) })}</> : null}
      </p>
      <Timeline s={s} name={name} />
      {error ? <Alert>{error}</Alert> : null}
      <ul className="kiosk-layers">
        {s.layers.map((l) => (
          <li key={l.id}>
            <span className="badge">{t(`kioskAdmin.kind.${l.kind}`)}</span> {l.name}{' '}
            <span className="muted small">{l.scope === 'screen' ? t('kioskAdmin.schedule.ownLayer') : t('kioskAdmin.schedule.groupLayer')}</span>{' '}
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => void remove(l.id)}
              aria-label={t('kioskAdmin.schedule.remove', { name: l.name })}
            >
              {t('common.remove')}
            </button>
          </li>
        ))}
      </ul>
      <LayerForm screen={screen} onAdded={reload} />
    </section>
  );
}

function Timeline({ s, name }: { s: ScheduleView; name: (id: string | null) => string }) {
  const { t, i18n } = useTranslation();
  const from = Date.parse(s.at);
  const span = s.timeline.length ? Date.parse(s.timeline[s.timeline.length - 1]!.to) - from : 1;
  return (
    <ol className="kiosk-timeline" aria-label={t('kioskAdmin.schedule.next24')}>
      {s.timeline.map((seg) => {
        const width = ((Date.parse(seg.to) - Date.parse(seg.from)) / span) * 100;
        const label = `${time(seg.from, s.timeZone, i18n.language)} ${seg.dark ? t('kioskAdmin.dark') : name(seg.layerId)}`;
        return (
          <li key={seg.from} style={{ width: `${width}%` }} className={seg.dark ? 'dark' : ''} title={label}>
            <span className="sr-only">{label}</span>
          </li>
        );
      })}
      <span className="kiosk-timeline-start muted small">{time(new Date(from).toISOString(), s.timeZone, i18n.language)}</span>
    </ol>
  );
}

function LayerForm({ screen, onAdded }: { screen: KioskFleetScreen; onAdded: () => Promise<void> }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [kind, setKind] = useState<LayerKind>('window');
  const [name, setName] = useState('');
  const [onGroup, setOnGroup] = useState(false);
  const [days, setDays] = useState<IsoWeekday[]>([1, 2, 3, 4, 5]);
  const [campaignHours, setCampaignHours] = useState(false);
  const [start, setStart] = useState('07:00');
  const [end, setEnd] = useState('09:00');
  const [fromDate, setFromDate] = useState('');
  const [toDate, setToDate] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [sources, setSources] = useState<(typeof CONTENT_SOURCES)[number][]>(['adopted', 'stories', 'chart']);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    // datetime-local is the admin's own wall time; the server wants instants.
    const instant = (v: string) => (v ? new Date(v).toISOString() : null);
    const body: KioskLayerInput = {
      name: name.trim(),
      kind,
      groupId: onGroup ? screen.groupId : null,
      screenId: onGroup ? null : screen.id,
      windows: kind === 'window' || (kind === 'campaign' && campaignHours) ? [{ days, start, end }] : null,
      fromDate: kind === 'campaign' ? fromDate || null : null,
      toDate: kind === 'campaign' ? toDate || null : null,
      startsAt: kind === 'interrupt' ? instant(startsAt) : null,
      endsAt: kind === 'interrupt' ? instant(endsAt) : null,
      content: { sources },
    };
    try {
      await createLayer(body);
      setName('');
      await onAdded();
      await qc.invalidateQueries({ queryKey: kioskKeys.fleet });
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  return (
    <form onSubmit={submit} noValidate className="kiosk-layer-form" aria-label={t('kioskAdmin.schedule.add')}>
      <h3>{t('kioskAdmin.schedule.add')}</h3>
      {error ? <Alert>{error}</Alert> : null}
      <div className="grid-2">
        <div className="field">
          <label htmlFor={`kind-${screen.id}`}>{t('kioskAdmin.schedule.kind')}</label>
          <select id={`kind-${screen.id}`} value={kind} onChange={(e) => setKind(e.target.value as LayerKind)}>
            {LAYER_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kioskAdmin.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <Field label={t('kioskAdmin.schedule.name')} value={name} maxLength={80} onChange={(e) => setName(e.target.value)} required />
      </div>
      {kind === 'campaign' ? (
        <label className="inline-check">
          <input type="checkbox" checked={campaignHours} onChange={(e) => setCampaignHours(e.target.checked)} /> {t('kioskAdmin.schedule.campaignHours')}
        </label>
      ) : null}
      {kind === 'window' || (kind === 'campaign' && campaignHours) ? (
        <fieldset>
          <legend>{t('kioskAdmin.schedule.hours')}</legend>
          {DAYS.map((d) => (
            <label key={d} className="inline-check">
              <input type="checkbox" checked={days.includes(d)} onChange={() => setDays(toggle(days, d))} /> {t(`kioskAdmin.day.${d}`)}
            </label>
          ))}
          <Field label={t('kioskAdmin.schedule.start')} type="time" value={start} onChange={(e) => setStart(e.target.value)} />
          <Field
            label={t('kioskAdmin.schedule.end')}
            type="time"
            value={end}
            onChange={(e) => setEnd(e.target.value)}
            hint={t('kioskAdmin.schedule.overnight')}
          />
        </fieldset>
      ) : null}
      {kind === 'campaign' ? (
        <div className="grid-2">
          <Field label={t('kioskAdmin.schedule.fromDate')} type="date" value={fromDate} onChange={(e) => setFromDate(e.target.value)} />
          <Field label={t('kioskAdmin.schedule.toDate')} type="date" value={toDate} onChange={(e) => setToDate(e.target.value)} />
        </div>
      ) : null}
      {kind === 'interrupt' ? (
        <div className="grid-2">
          <Field label={t('kioskAdmin.schedule.startsAt')} type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
          <Field label={t('kioskAdmin.schedule.endsAt')} type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />
        </div>
      ) : null}
      <fieldset>
        <legend>{t('kioskAdmin.schedule.content')}</legend>
        {CONTENT_SOURCES.map((c) => (
          <label key={c} className="inline-check">
            <input type="checkbox" checked={sources.includes(c)} onChange={() => setSources(toggle(sources, c))} /> {t(`kioskAdmin.source.${c}`)}
          </label>
        ))}
      </fieldset>
      {screen.groupId ? (
        <label className="inline-check">
          <input type="checkbox" checked={onGroup} onChange={(e) => setOnGroup(e.target.checked)} />{' '}
          {t('kioskAdmin.schedule.onGroup', { group: screen.groupName })}
        </label>
      ) : null}
      <button type="submit" className="btn btn-primary btn-sm" disabled={busy}>
        {busy ? t('common.saving') : t('kioskAdmin.schedule.addButton')}
      </button>
    </form>
  );
}
