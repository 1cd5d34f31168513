import { useId, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { KioskFleetScreen } from '../../../../contracts/kiosk.js';
import { KIOSK_LIMITS } from '../../../../contracts/kiosk.limits.js';
import type { IsoWeekday } from '../../../../contracts/kiosk.schedule.js';
import { errorMessage } from '../../../api/client.js';
import { kioskKeys, updateScreen, useKioskGroups } from '../../../api/kiosk.js';
import { Alert, Field } from '../../../ui/Field.js';

const DAYS: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];
type Hours = { days: IsoWeekday[]; start: string; end: string };

/**
 * A paired screen's settings after the pairing (docs/kiosk.md, "Fleet"): name, group, place (on
 * the command map), orientation, time zone and opening hours (dark outside them; none: always
 * on). Saved with one PATCH; the screen picks the change up from its event stream.
 */
export function KioskScreenSettings({ screen, onDone }: { screen: KioskFleetScreen; onDone: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const qc = useQueryClient();
  const groups = useKioskGroups();
  const [name, setName] = useState(screen.name);
  const [groupId, setGroupId] = useState(screen.groupId ?? '');
  const [orientation, setOrientation] = useState(screen.orientation);
  const [timeZone, setTimeZone] = useState(screen.timeZone);
  const [placeName, setPlaceName] = useState(screen.place?.name ?? '');
  const [lat, setLat] = useState(screen.place ? String(screen.place.lat) : '');
  const [lng, setLng] = useState(screen.place ? String(screen.place.lng) : '');
  const [hours, setHours] = useState<Hours[]>(screen.openingHours?.map((w) => ({ ...w, days: [...w.days] as IsoWeekday[] })) ?? []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const setHour = (i: number, h: Partial<Hours>) => setHours((all) => all.map((x, j) => (j === i ? { ...x, ...h } : x)));
  const toggleDay = (i: number, d: IsoWeekday) =>
    setHour(i, { days: hours[i]!.days.includes(d) ? hours[i]!.days.filter((x) => x !== d) : [...hours[i]!.days, d].sort() });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!name.trim()) return setError(t('kioskAdmin.settings.nameRequired'));
    // A place is all three or nothing: a name without coordinates cannot stand on the map.
    const anyPlace = placeName.trim() || lat.trim() || lng.trim();
    const la = Number(lat);
    const ln = Number(lng);
    if (
      anyPlace &&
      (!placeName.trim() || !lat.trim() || !lng.trim() || !Number.isFinite(la) || !Number.isFinite(ln) || Math.abs(la) > 90 || Math.abs(ln) > 180)
    )
      return setError(t('kioskAdmin.settings.placeIncomplete'));
    if (hours.some((h) => h.days.length === 0)) return setError(t('kioskAdmin.settings.hoursNoDay'));
    setBusy(true);
    try {
      await updateScreen(screen.id, {
        name: name.trim(),
        groupId: groupId || null,
        orientation,
        timeZone: timeZone.trim(),
        place: anyPlace ? { name: placeName.trim(), lat: la, lng: ln } : null,
        openingHours: hours.length ? hours : null,
      });
      await Promise.all([qc.invalidateQueries({ queryKey: kioskKeys.fleet }), qc.invalidateQueries({ queryKey: kioskKeys.groups })]);
      await qc.invalidateQueries({ queryKey: ['admin', 'kiosk-schedule', screen.id] });
      onDone();
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="kiosk-settings" aria-label={t('kioskAdmin.settings.title', { name: screen.name })}>
      <h3>{t('kioskAdmin.settings.title', { name: screen.name })}</h3>
      {error ? <Alert>{error}</Alert> : null}
      <div className="grid-2">
        <Field label={t('kioskAdmin.name')} value={name} maxLength={80} onChange={(e) => setName(e.target.value)} required />
        <div className="field">
          <label htmlFor={`${id}-group`}>{t('kioskAdmin.group')}</label>
          <select id={`${id}-group`} value={groupId} onChange={(e) => setGroupId(e.target.value)}>
            <option value="">{t('kioskAdmin.noGroup')}</option>
            {(groups.data ?? []).map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-orientation`}>{t('kioskAdmin.orientation')}</label>
          <select id={`${id}-orientation`} value={orientation} onChange={(e) => setOrientation(e.target.value as 'landscape' | 'portrait')}>
            <option value="landscape">{t('kioskAdmin.landscape')}</option>
            <option value="portrait">{t('kioskAdmin.portrait')}</option>
          </select>
        </div>
        <Field label={t('kioskAdmin.settings.timeZone')} value={timeZone} maxLength={64} onChange={(e) => setTimeZone(e.target.value)} spellCheck={false} />
      </div>
      <fieldset>
        <legend>{t('kioskAdmin.settings.place')}</legend>
        <p className="hint">{t('kioskAdmin.settings.placeHint')}</p>
        <div className="grid-3">
          <Field label={t('kioskAdmin.settings.placeName')} value={placeName} maxLength={120} onChange={(e) => setPlaceName(e.target.value)} />
          <Field label={t('kioskAdmin.settings.lat')} value={lat} inputMode="decimal" onChange={(e) => setLat(e.target.value)} />
          <Field label={t('kioskAdmin.settings.lng')} value={lng} inputMode="decimal" onChange={(e) => setLng(e.target.value)} />
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('kioskAdmin.settings.hours')}</legend>
        <p className="hint">{hours.length ? t('kioskAdmin.schedule.overnight') : t('kioskAdmin.settings.alwaysOn')}</p>
        {hours.map((h, i) => (
          <div key={i} className="kiosk-hours-row" role="group" aria-label={t('kioskAdmin.settings.hoursRow', { n: i + 1 })}>
            {DAYS.map((d) => (
              <label key={d} className="inline-check">
                <input type="checkbox" checked={h.days.includes(d)} onChange={() => toggleDay(i, d)} /> {t(`kioskAdmin.day.${d}`)}
              </label>
            ))}
            <Field label={t('kioskAdmin.schedule.start')} type="time" value={h.start} onChange={(e) => setHour(i, { start: e.target.value })} />
            <Field label={t('kioskAdmin.schedule.end')} type="time" value={h.end} onChange={(e) => setHour(i, { end: e.target.value })} />
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setHours(hours.filter((_, j) => j !== i))}>
              {t('common.remove')}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          disabled={hours.length >= KIOSK_LIMITS.windowsPerLayer}
          onClick={() => setHours([...hours, { days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '20:00' }])}
        >
          {t('kioskAdmin.settings.addHours')}
        </button>
      </fieldset>
      <div className="row-actions">
        <button type="submit" className="btn btn-primary btn-sm" disabled={busy}>
          {busy ? t('common.saving') : t('common.save')}
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
