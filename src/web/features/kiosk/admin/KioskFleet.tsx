import { Fragment, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { KioskCommandKind, KioskFleetScreen } from '../../../../contracts/kiosk.js';
import { errorMessage } from '../../../api/client.js';
import { claimScreen, kioskKeys, revokeScreen, screenshotUrl, sendCommand, useKioskFleet, useKioskGroups } from '../../../api/kiosk.js';
import { Alert, Field } from '../../../ui/Field.js';
import { ErrorState, Loading } from '../../../ui/common.js';
import { formatDateTime } from '../../../ui/format.js';
import { KioskGroups } from './KioskGroups.js';
import { KioskSchedule } from './KioskSchedule.js';
import { KioskScreenSettings } from './KioskScreenSettings.js';

/**
 * The admin's fleet of kiosks (docs/kiosk.md): pair a screen by the code it shows, see every
 * screen worst health first, and send it commands. Refreshed every 10 s.
 */
export function KioskFleet() {
  const { t } = useTranslation();
  const q = useKioskFleet();
  const groups = useKioskGroups();
  // '' every screen, '-' screens in no group, else a group's id.
  const [picked, setGroup] = useState('');
  // A group removed while picked shows every screen again.
  const group = picked === '-' || groups.data?.some((g) => g.id === picked) ? picked : '';
  const shown = q.data?.filter((s) => group === '' || (group === '-' ? s.groupId === null : s.groupId === group));
  return (
    <>
      <PairForm />
      <KioskGroups />
      <section aria-labelledby="kiosk-fleet-h">
        <h2 id="kiosk-fleet-h">{t('kioskAdmin.fleet')}</h2>
        {groups.data?.length ? (
          <div className="field kiosk-fleet-filter">
            <label htmlFor="kiosk-fleet-group">{t('kioskAdmin.groups.show')}</label>
            <select id="kiosk-fleet-group" value={group} onChange={(e) => setGroup(e.target.value)}>
              <option value="">{t('kioskAdmin.groups.all')}</option>
              {groups.data.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
              <option value="-">{t('kioskAdmin.noGroup')}</option>
            </select>
          </div>
        ) : null}
        {q.isPending ? <Loading /> : null}
        {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
        {q.data && q.data.length === 0 ? <p className="muted">{t('kioskAdmin.none')}</p> : null}
        {q.data?.length && shown?.length === 0 ? <p className="muted">{t('kioskAdmin.groups.emptyFilter')}</p> : null}
        {shown?.length ? (
          <div className="table-wrap">
            <table className="data-table kiosk-fleet">
              <caption className="sr-only">{t('kioskAdmin.fleet')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('kioskAdmin.name')}</th>
                  <th scope="col">{t('kioskAdmin.health')}</th>
                  <th scope="col">{t('kioskAdmin.lastSeen')}</th>
                  <th scope="col">{t('kioskAdmin.playing')}</th>
                  <th scope="col">{t('kioskAdmin.device')}</th>
                  <th scope="col">{t('kioskAdmin.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((s) => (
                  <FleetRow key={s.id} s={s} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}

function PairForm() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const groups = useKioskGroups();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [orientation, setOrientation] = useState<'landscape' | 'portrait'>('landscape');
  const [groupId, setGroupId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    if (!code.trim() || !name.trim()) return setError(t('common.required'));
    setBusy(true);
    try {
      const s = await claimScreen({ code, name: name.trim(), orientation, groupId: groupId || null, campaignId: null });
      setDone(t('kioskAdmin.paired', { name: s.name }));
      setCode('');
      setName('');
      await qc.invalidateQueries({ queryKey: kioskKeys.fleet });
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate className="panel inline-form" aria-labelledby="kiosk-pair-h">
      <h2 id="kiosk-pair-h">{t('kioskAdmin.pair')}</h2>
      <p className="muted">{t('kioskAdmin.pairHint')}</p>
      {error ? <Alert>{error}</Alert> : null}
      {done ? <p role="status">{done}</p> : null}
      <div className="grid-2">
        <Field
          label={t('kioskAdmin.code')}
          value={code}
          maxLength={9}
          autoCapitalize="characters"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setCode(e.target.value)}
          className="mono"
          required
        />
        <Field label={t('kioskAdmin.name')} value={name} maxLength={80} onChange={(e) => setName(e.target.value)} required />
        <div className="field">
          <label htmlFor="kiosk-orientation">{t('kioskAdmin.orientation')}</label>
          <select id="kiosk-orientation" value={orientation} onChange={(e) => setOrientation(e.target.value as 'landscape' | 'portrait')}>
            <option value="landscape">{t('kioskAdmin.landscape')}</option>
            <option value="portrait">{t('kioskAdmin.portrait')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="kiosk-group">{t('kioskAdmin.group')}</label>
          <select id="kiosk-group" value={groupId} onChange={(e) => setGroupId(e.target.value)}>
            <option value="">{t('kioskAdmin.noGroup')}</option>
            {(groups.data ?? []).map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? t('common.saving') : t('kioskAdmin.pairButton')}
      </button>
    </form>
  );
}

function FleetRow({ s }: { s: KioskFleetScreen }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showShot, setShowShot] = useState(false);
  const [open, setOpen] = useState<'schedule' | 'settings' | null>(null);
  const act = async (what: KioskCommandKind | 'revoke') => {
    setError(null);
    setNote(null);
    try {
      if (what === 'revoke') await revokeScreen(s.id);
      else await sendCommand(s.id, what);
      if (what === 'screenshot') setShowShot(true);
      setNote(t(`kioskAdmin.sent.${what}`));
      await qc.invalidateQueries({ queryKey: kioskKeys.fleet });
    } catch (x) {
      setError(errorMessage(x));
    }
  };
  const skew = s.clockSkewSeconds !== null && Math.abs(s.clockSkewSeconds) >= 60 ? t('kioskAdmin.skew', { seconds: s.clockSkewSeconds }) : null;
  return (
    <Fragment>
      <tr data-screen={s.id}>
        <th scope="row">
          {s.name}
          {s.groupName ? <span className="muted small"> · {s.groupName}</span> : null}
          {s.place ? <div className="muted small">{s.place.name}</div> : null}
        </th>
        <td>
          <span className={`badge kiosk-health-${s.health}`} data-testid="kiosk-health">
            {t(`kioskAdmin.healthName.${s.health}`)}
          </span>
        </td>
        <td className="nowrap">{s.lastSeenAt ? formatDateTime(s.lastSeenAt, i18n.language) : t('kioskAdmin.never')}</td>
        <td>
          {s.report ? (s.report.dark ? t('kioskAdmin.dark') : (s.report.itemId ?? '—')) : '—'}
          {s.report?.offlineSince ? (
            <div className="small">{t('kioskAdmin.wasOffline', { since: formatDateTime(s.report.offlineSince, i18n.language) })}</div>
          ) : null}
        </td>
        <td className="small">
          {s.appVersion ?? '—'} · {t(`kioskAdmin.${s.orientation}`)}
          {skew ? <div className="kiosk-skew">{skew}</div> : null}
        </td>
        <td>
          <div className="row-actions">
            {(['refresh', 'reload', 'screenshot'] as const).map((k) => (
              <button key={k} type="button" className="btn btn-ghost btn-sm" disabled={s.health === 'revoked'} onClick={() => void act(k)}>
                {t(`kioskAdmin.command.${k}`)}
              </button>
            ))}
            <button type="button" className="btn btn-ghost btn-sm btn-danger" disabled={s.health === 'revoked'} onClick={() => void act('revoke')}>
              {t('kioskAdmin.command.revoke')}
            </button>
          </div>
          {note ? (
            <p role="status" className="small">
              {note}
            </p>
          ) : null}
          {error ? <Alert>{error}</Alert> : null}
          {showShot && s.screenshotAt ? (
            <img className="kiosk-shot" src={screenshotUrl(s.id, s.screenshotAt)} alt={t('kioskAdmin.shotAlt', { name: s.name })} />
          ) : null}
          <div className="row-actions">
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              aria-expanded={open === 'schedule'}
              onClick={() => setOpen(open === 'schedule' ? null : 'schedule')}
            >
              {t('kioskAdmin.schedule.toggle')}
            </button>
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              aria-expanded={open === 'settings'}
              disabled={s.health === 'revoked'}
              onClick={() => setOpen(open === 'settings' ? null : 'settings')}
            >
              {t('kioskAdmin.settings.toggle')}
            </button>
          </div>
        </td>
      </tr>
      {open ? (
        <tr className="kiosk-schedule-row">
          <td colSpan={6}>{open === 'schedule' ? <KioskSchedule screen={s} /> : <KioskScreenSettings screen={s} onDone={() => setOpen(null)} />}</td>
        </tr>
      ) : null}
    </Fragment>
  );
}
