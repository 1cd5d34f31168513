import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatMessage } from '../../../contracts/command.js';
import { useMe } from '../../api/queries.js';
import { Alert } from '../../ui/Field.js';
import { formatDateTime } from '../../ui/format.js';
import { BroadcastControls } from './call/BroadcastControls.js';
import { CallController, type CallView } from './call/controller.js';
import { listRecordings } from './call/recorder.js';
import { acquireHub, releaseHub, type HubClient, type HubState } from './live/hubClient.js';
import { ChatThread, type Outgoing } from './live/chatThread.js';

const NOOP = () => () => {};

/** The director's presets: what "lower" and "audio only" ask a guest's phone for. */
const PRESETS = {
  lower: { maxBitrateKbps: 300, scaleDownBy: 2, audioOnly: false },
  audio: { audioOnly: true },
  restore: { maxBitrateKbps: 2500, scaleDownBy: 1, audioOnly: false },
} as const;

function useHub(): { hub: HubClient | null; state: HubState } {
  const [hub, setHub] = useState<HubClient | null>(null);
  useEffect(() => {
    const h = acquireHub();
    setHub(h);
    return () => releaseHub(h);
  }, []);
  const state = useSyncExternalStore(hub ? (cb) => hub.onState(cb) : NOOP, () => hub?.state ?? 'connecting');
  return { hub, state };
}

function Video({ stream, muted, label }: { stream: MediaStream | null; muted?: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} className="live-video" autoPlay playsInline muted={muted} aria-label={label} />;
}

function Chat({ thread, selfId, hubState }: { thread: ChatThread; selfId: string; hubState: HubState }) {
  const { t, i18n } = useTranslation();
  const view = useSyncExternalStore(thread.subscribe, () => thread.snapshot);
  const [text, setText] = useState('');
  const end = useRef<HTMLLIElement>(null);
  // A block body: newer Chromium returns a promise from scrollIntoView, which React would take for a cleanup.
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
  }, [view.messages.length, view.outbox.length]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    thread.send(text);
    setText('');
  };
  const mine = (m: ChatMessage) => m.senderId === selfId;
  const state = (o: Outgoing) =>
    o.state === 'failed' ? t('commandLive.chat.failed') : hubState === 'open' ? t('commandLive.chat.sending') : t('commandLive.chat.queued');
  return (
    <section className="live-chat" aria-label={t('commandLive.chat.title')}>
      <ol className="live-chat-list" data-testid="chat-list">
        {view.messages.map((m) => (
          <li key={m.id} className={mine(m) ? 'live-msg live-msg-mine' : 'live-msg'} data-state="sent" data-client-id={m.clientId}>
            <span className="live-msg-who">{mine(m) ? t('commandLive.chat.me') : m.senderName}</span>
            <span className="live-msg-body">{m.body}</span>
            <time className="live-msg-at" dateTime={m.createdAt}>
              {formatDateTime(m.createdAt, i18n.language)}
            </time>
          </li>
        ))}
        {view.outbox.map((o) => (
          <li key={o.clientId} className="live-msg live-msg-mine live-msg-pending" data-state={o.state} data-client-id={o.clientId}>
            <span className="live-msg-body">{o.body}</span>
            <span className="live-msg-at">
              {state(o)}
              {o.state === 'failed' ? (
                <>
                  {' '}
                  {o.error}{' '}
                  <button type="button" className="btn btn-secondary btn-sm" onClick={() => thread.retry(o.clientId)}>
                    {t('commandLive.chat.retry')}
                  </button>
                </>
              ) : null}
            </span>
          </li>
        ))}
        <li ref={end} aria-hidden="true" className="live-chat-end" />
      </ol>
      <form className="live-chat-form" onSubmit={submit}>
        <label className="sr-only" htmlFor="live-chat-input">
          {t('commandLive.chat.placeholder')}
        </label>
        <input id="live-chat-input" value={text} maxLength={2000} onChange={(e) => setText(e.target.value)} placeholder={t('commandLive.chat.placeholder')} />
        <button type="submit" className="btn btn-primary" disabled={!text.trim()}>
          {t('commandLive.chat.send')}
        </button>
      </form>
    </section>
  );
}

function GuestControls({ ctl, view, guest }: { ctl: CallController; view: CallView; guest: { userId: string; name: string } }) {
  const { t } = useTranslation();
  const g = view.guests[guest.userId];
  const q = g?.quality ?? {};
  const now = q.audioOnly
    ? t('commandLive.director.audioOnly')
    : q.maxBitrateKbps && q.maxBitrateKbps < 2500
      ? t('commandLive.director.lowered')
      : t('commandLive.director.full');
  return (
    <div className="live-director" data-testid="director-controls">
      <strong>{guest.name}</strong>{' '}
      <span className="muted" data-testid="guest-quality">
        {now}
        {g?.pending ? ` · ${t('commandLive.director.asking')}` : ''}
      </span>
      {g?.degraded ? (
        <p className="live-banner live-banner-warn" role="status" data-testid="guest-degraded">
          {t('commandLive.director.fellBack', { name: guest.name })}
        </p>
      ) : null}
      <div className="live-actions">
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => ctl.direct(guest.userId, PRESETS.lower)}>
          {t('commandLive.director.lower')}
        </button>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => ctl.direct(guest.userId, PRESETS.audio)}>
          {t('commandLive.director.audio')}
        </button>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => ctl.direct(guest.userId, PRESETS.restore)}>
          {t('commandLive.director.restore')}
        </button>
      </div>
    </div>
  );
}

function CallPanel({ ctl, side, selfId, active }: { ctl: CallController; side: 'desk' | 'field'; selfId: string; active: boolean }) {
  const { t } = useTranslation();
  const view = useSyncExternalStore(ctl.subscribe, () => ctl.snapshot);
  const call = view.call;
  const live = view.phase === 'connecting' || view.phase === 'active';
  const guests = call?.participants.filter((p) => p.role === 'guest' && p.userId !== selfId) ?? [];
  return (
    <section className={`live-call live-call-${side}`} aria-label={t('commandLive.call.title')} data-phase={view.phase}>
      {view.error ? <Alert>{view.error}</Alert> : null}
      {call?.fallbackReason === 'janus_down' && side === 'desk' && live ? (
        <p className="live-banner live-banner-warn" role="status">
          {t('commandLive.call.janusDown')}
        </p>
      ) : null}
      {view.phase === 'ringing' && call ? (
        <div className="live-ring" role="alertdialog" aria-label={t('commandLive.call.incoming')}>
          <p>
            {side === 'field'
              ? t('commandLive.call.deskCalling')
              : t('commandLive.call.fieldCalling', { name: call.participants.find((p) => p.userId === call.startedBy)?.name ?? '' })}
          </p>
          <div className="live-actions">
            <button type="button" className="btn btn-primary" onClick={() => void ctl.answer()}>
              {t('commandLive.call.answer')}
            </button>
            <button type="button" className="btn btn-secondary" onClick={() => void ctl.decline()}>
              {t('commandLive.call.decline')}
            </button>
          </div>
        </div>
      ) : null}
      {view.phase === 'calling' ? (
        <div className="live-ring" role="status">
          <p>{t('commandLive.call.calling')}</p>
          <button type="button" className="btn btn-secondary" onClick={() => void ctl.hangUp()}>
            {t('commandLive.call.cancel')}
          </button>
        </div>
      ) : null}
      {live ? (
        <div className="live-stage">
          <Video stream={view.remote} label={t('commandLive.call.remote')} />
          <div className="live-self">
            <Video stream={view.local} muted label={t('commandLive.call.local')} />
          </div>
          {view.phase === 'connecting' ? <p className="muted">{t('commandLive.call.connecting')}</p> : null}
          {view.fellBack ? (
            <p className="live-banner live-banner-warn" role="status" data-testid="self-degraded">
              {t('commandLive.call.selfFellBack')}
            </p>
          ) : view.quality.audioOnly ? (
            <p className="live-banner" role="status">
              {t('commandLive.call.directorAudio')}
            </p>
          ) : null}
          {view.recording ? <p className="live-rec">{t('commandLive.call.recording')}</p> : null}
          <div className="live-actions live-controls">
            <button type="button" className="btn btn-secondary" aria-pressed={view.muted} onClick={() => ctl.toggleMute()}>
              {view.muted ? t('commandLive.call.unmute') : t('commandLive.call.mute')}
            </button>
            <button type="button" className="btn btn-secondary" aria-pressed={view.cameraOff} onClick={() => ctl.toggleCamera()}>
              {view.cameraOff ? t('commandLive.call.cameraOn') : t('commandLive.call.cameraOff')}
            </button>
            <button type="button" className="btn btn-danger" onClick={() => void ctl.hangUp()}>
              {t('commandLive.call.hangUp')}
            </button>
          </div>
          {side === 'desk' && call ? guests.map((g) => <GuestControls key={g.userId} ctl={ctl} view={view} guest={g} />) : null}
          {side === 'desk' && call?.media === 'janus' ? <BroadcastControls callId={call.id} /> : null}
        </div>
      ) : null}
      {!live && view.phase !== 'ringing' && view.phase !== 'calling' && active ? (
        <div className="live-actions">
          {side === 'field' ? (
            <button type="button" className="btn btn-primary" onClick={() => void ctl.start()}>
              {t('commandLive.call.callDesk')}
            </button>
          ) : (
            view.people.map((w) => (
              <button key={w.userId} type="button" className="btn btn-primary" onClick={() => void ctl.start(w.userId)}>
                {t('commandLive.call.callPerson', { name: w.name })} {w.online ? null : <span className="live-offline">({t('commandLive.call.offline')})</span>}
              </button>
            ))
          )}
        </div>
      ) : null}
      {view.phase === 'ended' && call ? <p className="muted">{t(`commandLive.call.status.${call.status}`)}</p> : null}
      {view.upload ? (
        <p className="muted" role="status" data-testid="recording-upload">
          {view.upload.phase === 'done'
            ? t('commandLive.recording.uploaded')
            : view.upload.error
              ? view.upload.error
              : t('commandLive.recording.uploading', { pct: Math.round((view.upload.sent / Math.max(1, view.upload.total)) * 100) })}
        </p>
      ) : null}
    </section>
  );
}

/**
 * Chat and calls with the other side of an assignment (docs/command-live.md): on the phone
 * (side 'field', phone-first) and on the desk (side 'desk'). `active`: the assignment is live in
 * the field, so calls may be made; the chat stays readable after it ends.
 */
export function FieldContact({ assignmentId, side, active }: { assignmentId: string; side: 'field' | 'desk'; active: boolean }) {
  const { t } = useTranslation();
  const me = useMe();
  const { hub, state } = useHub();
  const selfId = me.data?.id;
  const [thread, setThread] = useState<ChatThread | null>(null);
  const [ctl, setCtl] = useState<CallController | null>(null);
  const [leftOver, setLeftOver] = useState(0);

  useEffect(() => {
    if (!hub || !selfId) return;
    const th = new ChatThread(hub, assignmentId);
    const c = new CallController({ hub, assignmentId, side, selfId });
    setThread(th);
    setCtl(c);
    void c.load();
    return () => {
      th.dispose();
      c.dispose();
    };
  }, [hub, selfId, assignmentId, side]);

  // A recording a crash or reload left on this phone goes up as soon as the page is back.
  useEffect(() => {
    if (side !== 'field' || !ctl) return;
    void listRecordings()
      .then((rs) => {
        const pending = rs.filter((r) => r.assignmentId === assignmentId && r.state !== 'done');
        setLeftOver(pending.length);
        if (pending.length) return ctl.uploadRecordings();
      })
      .catch(() => undefined);
  }, [ctl, side, assignmentId]);

  if (!selfId || !thread || !ctl) return <p className="muted">{t('commandLive.connecting')}</p>;
  return (
    <div className={`live-contact live-contact-${side}`} data-hub={state}>
      {state !== 'open' ? (
        <p className="live-banner" role="status" data-testid="hub-offline">
          {t('commandLive.offline')}
        </p>
      ) : null}
      {leftOver ? <p className="muted">{t('commandLive.recording.leftOver', { count: leftOver })}</p> : null}
      <CallPanel ctl={ctl} side={side} selfId={selfId} active={active} />
      <Chat thread={thread} selfId={selfId} hubState={state} />
    </div>
  );
}
