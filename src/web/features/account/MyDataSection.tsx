import { useRef, useState, type FormEvent } from 'react';
import { useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { ErasureBlocker, ErasureStatus } from '../../../contracts/privacy.js';
import { api, ApiError, errorMessage } from '../../api/client.js';
import { keys } from '../../api/queries.js';
import { Alert, Field } from '../../ui/Field.js';
import { ErrorState, Loading } from '../../ui/common.js';
import { formatDateTime } from '../../ui/format.js';
import { forgetUploadsOnThisDevice } from '../uploads/forgetUploads.js';

// Under `me`, so signing out (which drops every ['me', …] query) drops it too.
const erasureKey = ['me', 'erasure'] as const;

/** The refusal's reasons, in the user's language (the server's messages), one per line. */
function Blockers({ blockers }: { blockers: ErasureBlocker[] }) {
  const { t } = useTranslation();
  return (
    <Alert>
      <p>{t('myData.blocked')}</p>
      <ul>
        {blockers.map((b) => (
          <li key={b.code}>{b.message}</li>
        ))}
      </ul>
    </Alert>
  );
}

function DeleteDialog({ status, onClose }: { status: ErasureStatus; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(false);
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [blockers, setBlockers] = useState<ErasureBlocker[] | null>(null);

  const sendCode = async () => {
    setError(null);
    try {
      await api('/api/me/erasure/code', { method: 'POST', body: {} });
      setSent(true);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setBlockers(null);
    try {
      await api('/api/me/erasure', {
        method: 'POST',
        body: status.reauth === 'password' ? { confirm: true, password } : status.reauth === 'sms' ? { confirm: true, code: code.trim() } : { confirm: true },
      });
      // The server ended every session: forget this device's state as signing out does.
      forgetUploadsOnThisDevice();
      qc.setQueryData(keys.me, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] === 'me' && q.queryKey.length > 1 });
      void navigate({ to: '/', search: {} });
    } catch (err) {
      const listed = err instanceof ApiError && err.code === 'erasure.open_money';
      if (listed) {
        // Money arrived since the page loaded: show the fresh reasons, not a bare code.
        await qc.invalidateQueries({ queryKey: erasureKey });
        const fresh = qc.getQueryData<ErasureStatus>(erasureKey);
        setBlockers(fresh?.blockers.length ? fresh.blockers : null);
      }
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="stack">
      <h3 id="erase-dialog-h">{t('myData.confirmTitle')}</h3>
      <p>{t('myData.confirmText')}</p>
      {status.reauth === 'password' ? (
        <Field
          label={t('myData.password')}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      ) : status.reauth === 'sms' ? (
        <>
          <button type="button" className="btn btn-secondary" onClick={() => void sendCode()}>
            {t('myData.sendCode', { phone: status.phoneMasked ?? '' })}
          </button>
          {sent ? <Alert tone="info">{t('myData.codeSent', { phone: status.phoneMasked ?? '' })}</Alert> : null}
          <Field
            label={t('myData.code')}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\d{6}"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            required
          />
        </>
      ) : null}
      <label className="check">
        <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} /> {t('myData.check')}
      </label>
      {blockers ? <Blockers blockers={blockers} /> : error ? <Alert>{error}</Alert> : null}
      <div className="cta-row">
        <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
          {t('myData.cancel')}
        </button>
        <button type="submit" className="btn btn-danger" disabled={busy || !understood}>
          {busy ? t('myData.deleting') : t('myData.confirm')}
        </button>
      </div>
    </form>
  );
}

/** "My data" on the account page: export it as JSON, or delete the account (docs/privacy.md). */
export function MyDataSection() {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: erasureKey, queryFn: () => api<ErasureStatus>('/api/me/erasure') });
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const show = () => {
    setOpen(true);
    dialog.current?.showModal();
  };
  const close = () => {
    dialog.current?.close();
    setOpen(false);
  };
  return (
    <section aria-labelledby="mydata-h" className="card">
      <h2 id="mydata-h">{t('myData.title')}</h2>
      <p className="muted">{t('myData.exportIntro')}</p>
      <p>
        {/* A plain link: the answer is a file (Content-Disposition: attachment), which phones save natively. */}
        <a className="btn btn-secondary" href="/api/me/data-export" download>
          {t('myData.export')}
        </a>
      </p>
      <h3>{t('myData.dangerTitle')}</h3>
      <p className="muted">{t('myData.dangerIntro')}</p>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data?.staff ? <Alert tone="info">{t('myData.staff')}</Alert> : null}
      {q.data && !q.data.staff && q.data.reauth === 'recent_sign_in' ? (
        <Alert tone="info">
          {q.data.recentUntil ? t('myData.recentUntil', { time: formatDateTime(q.data.recentUntil, i18n.language) }) : t('myData.signInAgain')}
        </Alert>
      ) : null}
      {q.data && q.data.blockers.length > 0 ? <Blockers blockers={q.data.blockers} /> : null}
      {q.data && !q.data.staff ? (
        <button type="button" className="btn btn-danger btn-block" onClick={show} disabled={!q.data.allowed}>
          {t('myData.delete')}
        </button>
      ) : null}
      <dialog ref={dialog} aria-labelledby="erase-dialog-h" className="card" onClose={() => setOpen(false)}>
        {open && q.data ? <DeleteDialog status={q.data} onClose={close} /> : null}
      </dialog>
    </section>
  );
}
