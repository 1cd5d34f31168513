import { useState } from 'react';
import { getRouteApi } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../contracts/accounts.js';
import { api, errorMessage } from '../api/client.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';

const READERS: readonly Role[] = ['contributor', 'editor', 'chief_editor', 'finance', 'admin'];

interface SignInInfo {
  screen: { name: string };
  status: 'waiting' | 'confirmed' | 'expired';
  expiresAt: string;
}

/**
 * `/study/sign-in/:nonce`: what a kiosk's study QR opens on the phone (docs/study.md). The reader,
 * signed in on the phone, confirms, and the kiosk opens a study session as them: one scan, one
 * session, and nothing but the tap signs anyone in.
 */
export function StudySignInPage() {
  const { t } = useTranslation();
  useTitle(t('studySignIn.title'));
  return <RequireRole roles={READERS}>{() => <Confirm />}</RequireRole>;
}

function Confirm() {
  const { nonce } = getRouteApi('/study/sign-in/$nonce').useParams();
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['study', 'sign-in', nonce], queryFn: () => api<SignInInfo>(`/api/study/sign-ins/${encodeURIComponent(nonce)}`) });
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const info = q.data;
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api<SignInInfo>(`/api/study/sign-ins/${encodeURIComponent(nonce)}/confirm`, { method: 'POST' });
      setDone(true);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="study-sign-in-h">
      <h1 id="study-sign-in-h">{t('studySignIn.title')}</h1>
      {done || info.status === 'confirmed' ? (
        <p role="status">{t('studySignIn.done', { screen: info.screen.name })}</p>
      ) : info.status === 'expired' ? (
        <Alert>{t('studySignIn.expired')}</Alert>
      ) : (
        <>
          <p>{t('studySignIn.ask', { screen: info.screen.name })}</p>
          {error ? <Alert>{error}</Alert> : null}
          <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>
            {t('studySignIn.confirm')}
          </button>
        </>
      )}
    </section>
  );
}
