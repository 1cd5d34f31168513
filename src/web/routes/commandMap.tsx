import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.js';
import { getCommandMap } from '../api/commandMap.js';
import { LOCATION_LIMITS } from '../../contracts/command.map.limits.js';
import { CommandMap } from '../features/command/map/CommandMap.js';
import { personLabel } from '../features/command/map/labels.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

const DESK = ['editor', 'chief_editor', 'admin'] as const;
const REFRESH_MS = 10_000;

/** `/command/map`: the desk's map of assignments, people in the field and recent footage (docs/command-map.md). */
export function CommandMapPage() {
  return <RequireRole roles={DESK}>{() => <MapScreen />}</RequireRole>;
}

function MapScreen() {
  const { t, i18n } = useTranslation();
  useTitle(t('commandMap.title'));
  const [layers, setLayers] = useState({ assignments: true, people: true, heat: true, kiosks: true });
  const q = useQuery({ queryKey: ['command', 'map'], queryFn: getCommandMap, refetchInterval: REFRESH_MS, refetchIntervalInBackground: false });
  if (q.isPending) return <Loading />;
  if (q.isError && !q.data) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const data = q.data!;
  const now = q.dataUpdatedAt || Date.now();
  const lang = i18n.language;
  const toggle = (k: keyof typeof layers) => setLayers((l) => ({ ...l, [k]: !l[k] }));

  return (
    <section className="cm-page" aria-labelledby="cm-h">
      <header className="cm-head">
        <div>
          <h1 id="cm-h">{t('commandMap.title')}</h1>
          <p className="muted">{t('commandMap.intro')}</p>
        </div>
        <p className="muted" role="status">
          {t('commandMap.updated', { time: formatDateTime(data.generatedAt, lang) })}
        </p>
      </header>
      {q.isError ? <Alert>{t('commandMap.stale', { error: errorMessage(q.error) })}</Alert> : null}
      <fieldset className="cm-layers">
        <legend>{t('commandMap.layers')}</legend>
        {(
          [
            ['assignments', t('commandMap.layerAssignments')],
            ['people', t('commandMap.layerPeople')],
            ['heat', t('commandMap.layerHeat', { days: data.heat.days })],
            ['kiosks', t('commandMap.layerKiosks')],
          ] as const
        ).map(([k, label]) => (
          <label key={k}>
            <input type="checkbox" checked={layers[k]} onChange={() => toggle(k)} /> {label}
          </label>
        ))}
        <span className="muted">{data.tileUrl ? t('commandMap.tiles') : t('commandMap.noTiles')}</span>
      </fieldset>
      <div className="cm-body">
        <CommandMap data={data} layers={layers} now={now} />
        <aside className="cm-side">
          <h2>{t('commandMap.people')}</h2>
          {data.people.length ? (
            <ul className="cm-list">
              {data.people.map((p) => {
                const label = personLabel(p, { now, lang, t });
                const stale = now - new Date(p.lastSeenAt).getTime() > LOCATION_LIMITS.staleAfterMs;
                const a = data.assignments.find((x) => x.id === p.assignmentId);
                return (
                  <li key={`${p.assignmentId}:${p.userId}`} className={stale ? 'cm-stale' : undefined}>
                    <strong>{p.name}</strong> <span>{label.seen}</span>
                    <div className="muted">{label.detail}</div>
                    {a ? <div className="muted">{a.title}</div> : null}
                  </li>
                );
              })}
            </ul>
          ) : (
            <p className="muted">{t('commandMap.noPeople')}</p>
          )}
          <h2>{t('commandMap.assignments')}</h2>
          {data.assignments.length ? (
            <ul className="cm-list">
              {data.assignments.map((a) => (
                <li key={a.id}>
                  <span className={`cm-dot cm-s-${a.status}`} aria-hidden="true" /> <strong>{a.title}</strong>
                  <div className="muted">
                    {t(`commandMap.status.${a.status}`)} · {a.placeName} · {t('commandMap.deadline', { time: formatDateTime(a.deadlineAt, lang) })}
                    {a.overdue ? <span className="badge cm-overdue-tag"> {t('commandMap.overdue')}</span> : null}
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t('commandMap.noAssignments')}</p>
          )}
          <h2>{t('commandMap.kiosks')}</h2>
          {data.kiosks.length ? (
            <ul className="cm-list" data-testid="cm-kiosks">
              {data.kiosks.map((k) => (
                <li key={k.id}>
                  <strong>{k.name}</strong> <span className={`badge kiosk-health-${k.health}`}>{t(`kioskAdmin.healthName.${k.health}`)}</span>
                  <div className="muted">
                    {k.placeName}
                    {k.lastSeenAt ? ` · ${t('kioskAdmin.lastSeen')} ${formatDateTime(k.lastSeenAt, lang)}` : ''}
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t('commandMap.noKiosks')}</p>
          )}
        </aside>
      </div>
    </section>
  );
}
