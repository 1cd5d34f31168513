import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../api/client.js';
import { useBroadcastState, useSetBroadcast } from '../../../api/commandJanus.js';

/**
 * The director's broadcast switch for a Janus call (docs/command-janus.md, "Broadcast"): on/off,
 * the audience now and at its peak, and the public watch page. Part live's desk call view
 * renders it for Janus calls.
 */
export function BroadcastControls({ callId }: { callId: string }) {
  const { t } = useTranslation();
  const state = useBroadcastState(callId);
  const set = useSetBroadcast(callId);
  const on = state.data?.on ?? false;
  return (
    <section className="janus-broadcast" aria-labelledby={`janus-broadcast-${callId}`}>
      <h3 id={`janus-broadcast-${callId}`}>{t('commandJanus.broadcast.title')}</h3>
      <p className="janus-broadcast-status" data-on={on}>
        {on ? t('commandJanus.broadcast.on') : t('commandJanus.broadcast.off')}
        {on ? (
          <>
            {' · '}
            <span data-testid="broadcast-audience">{t('commandJanus.broadcast.audience', { count: state.data?.audience ?? 0 })}</span>
            {' · '}
            {t('commandJanus.broadcast.peak', { count: state.data?.audiencePeak ?? 0 })}
          </>
        ) : null}
      </p>
      <button
        type="button"
        className={on ? 'button danger' : 'button primary'}
        disabled={set.isPending || state.isPending}
        onClick={() => set.mutate({ on: !on })}
      >
        {on ? t('commandJanus.broadcast.stop') : t('commandJanus.broadcast.start')}
      </button>
      {on ? (
        <Link to="/live/$callId" params={{ callId }} target="_blank" rel="noopener">
          {t('commandJanus.broadcast.watchLink')}
        </Link>
      ) : null}
      {set.isError ? (
        <p role="alert" className="error">
          {errorMessage(set.error)}
        </p>
      ) : null}
    </section>
  );
}
