import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../api/client.js';
import { createGroup, deleteGroup, kioskKeys, useKioskGroups } from '../../../api/kiosk.js';
import { Alert, Field } from '../../../ui/Field.js';
import { ConfirmBox, ErrorState, Loading } from '../../../ui/common.js';

/**
 * Screen groups (docs/kiosk.md, "Fleet"): a group's layers reach all its screens, so a newsroom
 * schedules "every screen in the county hall" once. Add one by name; removing one keeps its
 * screens (without a group) and drops its layers, after a confirmation that says so.
 */
export function KioskGroups() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useKioskGroups();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const reload = () => Promise.all([qc.invalidateQueries({ queryKey: kioskKeys.groups }), qc.invalidateQueries({ queryKey: kioskKeys.fleet })]);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!name.trim()) return setError(t('common.required'));
    setBusy(true);
    try {
      await createGroup(name.trim());
      setName('');
      await reload();
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: string) => {
    setError(null);
    setBusy(true);
    try {
      await deleteGroup(id);
      setRemoving(null);
      await reload();
    } catch (x) {
      setError(errorMessage(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel kiosk-groups" aria-labelledby="kiosk-groups-h">
      <h2 id="kiosk-groups-h">{t('kioskAdmin.groups.title')}</h2>
      <p className="muted">{t('kioskAdmin.groups.hint')}</p>
      {error ? <Alert>{error}</Alert> : null}
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data?.length === 0 ? <p className="muted">{t('kioskAdmin.groups.none')}</p> : null}
      {q.data?.length ? (
        <ul className="kiosk-group-list">
          {q.data.map((g) => (
            <li key={g.id} data-group={g.id}>
              <strong>{g.name}</strong> <span className="muted small">{t('kioskAdmin.groups.screens', { count: g.screens })}</span>{' '}
              {removing === g.id ? (
                <ConfirmBox
                  small
                  label={t('kioskAdmin.groups.remove', { name: g.name })}
                  text={t('kioskAdmin.groups.removeConfirm', { name: g.name, count: g.screens })}
                  confirm={t('kioskAdmin.groups.removeButton')}
                  cancel={t('common.cancel')}
                  busy={busy}
                  onConfirm={() => void remove(g.id)}
                  onCancel={() => setRemoving(null)}
                />
              ) : (
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  onClick={() => setRemoving(g.id)}
                  aria-label={t('kioskAdmin.groups.remove', { name: g.name })}
                >
                  {t('common.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <form onSubmit={add} noValidate className="inline-form">
        <Field label={t('kioskAdmin.groups.name')} value={name} maxLength={80} onChange={(e) => setName(e.target.value)} required />
        <button type="submit" className="btn btn-secondary" disabled={busy}>
          {t('kioskAdmin.groups.add')}
        </button>
      </form>
    </section>
  );
}
