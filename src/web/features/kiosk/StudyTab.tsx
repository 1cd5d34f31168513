import { useEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useHls } from '../../ui/useHls.js';
import { storedKey } from './kioskClient.js';
import { PhoneQr } from './kioskMedia.js';

/**
 * Study (学习) on the kiosk (docs/study.md): the published collections for anyone, and a personal
 * record for a reader who signs in by scanning the screen's QR with their signed-in phone. The
 * session token lives in memory only and ends when the reader signs out or touch mode closes, so
 * the next person at the screen never inherits it. Finishing is always the reader's own tap (or
 * the video's end), never a timer: machine-regular timings stop a session's points.
 */
interface CollectionSummary {
  id: string;
  title: string;
  description: string | null;
  pointsEnabled: boolean;
  pointsPerTask: number;
}
interface Item {
  id: string;
  kind: 'article' | 'video' | 'pdf';
  title: string;
  task: 'read' | 'watch';
  minDwellSeconds: number;
  quizQuestions: number;
  ref: { kind: string; id: string; apiUrl: string; pageUrl: string | null };
}
interface Collection extends CollectionSummary {
  quizQuestions: number;
  items: Item[];
}
interface Session {
  token: string;
  user: { name: string };
}
interface Points {
  awarded: number;
  reason: string | null;
  pointsToday: number;
}
interface Attempt {
  attemptId: string;
  questions: { id: string; prompt: string; multiple: boolean; options: { id: string; text: string }[] }[];
}
interface Graded {
  score: number;
  total: number;
  passed: boolean;
  results: { questionId: string; correct: boolean; correctOptionIds: string[]; explanation: string | null }[];
  points: Points;
}

class StudyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

async function call<T>(path: string, opts: { method?: string; body?: unknown; session?: Session | null; lang: string }): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': opts.lang };
  const key = storedKey();
  if (key) headers['x-kiosk-key'] = key;
  if (opts.session) headers['x-study-token'] = opts.session.token;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: unknown } };
  if (!res.ok) throw new StudyError(res.status, data.error?.code ?? 'error', data.error?.message ?? String(res.status), data.error?.details);
  return data as T;
}

export function StudyTab({ t, lang }: { t: TFunction; lang: string }) {
  const [collections, setCollections] = useState<CollectionSummary[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState<Collection | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [pointsToday, setPointsToday] = useState<number | null>(null);
  const sessionRef = useRef<Session | null>(null);
  sessionRef.current = session;

  useEffect(() => {
    let live = true;
    call<{ collections: CollectionSummary[] }>('/api/study/collections', { lang })
      .then((r) => live && setCollections(r.collections))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
      // Leaving the tab (or touch mode closing) signs the reader out.
      const s = sessionRef.current;
      if (s) void call('/api/study/session', { method: 'DELETE', session: s, lang }).catch(() => undefined);
    };
  }, [lang]);

  const signOut = () => {
    const s = session;
    setSession(null);
    setPointsToday(null);
    if (s) void call('/api/study/session', { method: 'DELETE', session: s, lang }).catch(() => undefined);
  };

  if (failed) return <p className="kiosk-touch-empty">{t('kiosk.study.offline')}</p>;
  if (!collections) return <p className="kiosk-touch-empty">{t('kiosk.loading')}</p>;
  return (
    <div className="kiosk-study" data-testid="kiosk-study" data-keep-awake={session ? 'true' : undefined}>
      <div className="kiosk-study-bar">
        {session ? (
          <>
            <p role="status" data-testid="study-reader">
              {t('kiosk.study.hello', { name: session.user.name })}
              {pointsToday !== null ? ` · ${t('kiosk.study.pointsToday', { points: pointsToday })}` : ''}
            </p>
            <button type="button" className="kiosk-back" onClick={signOut}>
              {t('kiosk.study.signOut')}
            </button>
          </>
        ) : (
          <SignIn
            t={t}
            lang={lang}
            onSession={(s) => {
              setSession(s);
              void call<{ pointsToday: number }>('/api/study/session', { session: s, lang })
                .then((r) => setPointsToday(r.pointsToday))
                .catch(() => undefined);
            }}
          />
        )}
      </div>
      {open ? (
        <CollectionView t={t} lang={lang} collection={open} session={session} onBack={() => setOpen(null)} onPoints={setPointsToday} />
      ) : collections.length === 0 ? (
        <p className="kiosk-touch-empty">{t('kiosk.study.none')}</p>
      ) : (
        <ul className="kiosk-tiles">
          {collections.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="kiosk-tile"
                onClick={() =>
                  void call<Collection>(`/api/study/collections/${c.id}`, { lang })
                    .then(setOpen)
                    .catch(() => setFailed(true))
                }
              >
                <strong>{c.title}</strong>
                {c.description ? <span>{c.description}</span> : null}
                {c.pointsEnabled ? <span className="kiosk-tile-section">{t('kiosk.study.pointsEach', { points: c.pointsPerTask })}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The screen's QR: the reader's phone confirms, and the next poll opens the session (one scan, one session). */
function SignIn({ t, lang, onSession }: { t: TFunction; lang: string; onSession: (s: Session) => void }) {
  const [code, setCode] = useState<{ id: string; secret: string; url: string; pollSeconds: number } | null>(null);
  const [asked, setAsked] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const done = useRef(onSession);
  done.current = onSession;
  useEffect(() => {
    if (!asked) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const begin = async () => {
      try {
        const c = await call<{ id: string; secret: string; url: string; pollSeconds: number }>('/api/kiosk/study/sign-ins', { method: 'POST', lang });
        if (!live) return;
        setCode(c);
        const poll = async () => {
          try {
            const headers = { 'x-sign-in-secret': c.secret, 'x-kiosk-key': storedKey() ?? '' };
            const res = await fetch(`/api/kiosk/study/sign-ins/${c.id}`, { headers, credentials: 'omit', cache: 'no-store' });
            const r = (await res.json()) as { status: string; session?: Session };
            if (!live) return;
            if (r.status === 'signed_in' && r.session) return done.current(r.session);
            if (r.status === 'expired' || r.status === 'used') return void begin();
          } catch {
            // A dropped poll: the next one tries again.
          }
          timer = setTimeout(() => void poll(), c.pollSeconds * 1000);
        };
        timer = setTimeout(() => void poll(), c.pollSeconds * 1000);
      } catch (e) {
        if (live) setError(e instanceof Error ? e.message : String(e));
      }
    };
    void begin();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [asked, lang]);
  if (!asked)
    return (
      <button type="button" className="kiosk-back" onClick={() => setAsked(true)}>
        {t('kiosk.study.signIn')}
      </button>
    );
  return (
    <div className="kiosk-read-qr" data-testid="study-sign-in">
      {code ? <PhoneQr url={code.url} label={t('kiosk.study.scanToSignIn')} className="kiosk-qr-inline" dataUrl /> : null}
      <p>{error ?? t('kiosk.study.scanToSignIn')}</p>
    </div>
  );
}

function CollectionView(props: {
  t: TFunction;
  lang: string;
  collection: Collection;
  session: Session | null;
  onBack: () => void;
  onPoints: (n: number) => void;
}) {
  const { t, collection, onBack } = props;
  const [item, setItem] = useState<Item | null>(null);
  const [quiz, setQuiz] = useState<string | null | false>(false);
  if (item) return <ItemView {...props} item={item} onBack={() => setItem(null)} />;
  if (quiz !== false) return <QuizView {...props} itemId={quiz} onBack={() => setQuiz(false)} />;
  return (
    <article className="kiosk-read" data-testid="study-collection">
      <button type="button" className="kiosk-back" onClick={onBack}>
        {t('kiosk.touch.back')}
      </button>
      <h2>{collection.title}</h2>
      {collection.description ? <p className="kiosk-read-sub">{collection.description}</p> : null}
      <ol className="kiosk-study-items">
        {collection.items.map((i) => (
          <li key={i.id}>
            <button type="button" onClick={() => setItem(i)}>
              {t(i.task === 'watch' ? 'kiosk.study.watch' : 'kiosk.study.read')} · {i.title}
            </button>
            {i.quizQuestions > 0 && props.session ? (
              <button type="button" onClick={() => setQuiz(i.id)}>
                {t('kiosk.study.quiz')}
              </button>
            ) : null}
          </li>
        ))}
      </ol>
      {collection.quizQuestions > 0 && props.session ? (
        <button type="button" className="kiosk-back" onClick={() => setQuiz(null)}>
          {t('kiosk.study.collectionQuiz')}
        </button>
      ) : null}
      {!props.session ? <p className="kiosk-touch-hint">{t('kiosk.study.signInHint')}</p> : null}
    </article>
  );
}

function ItemView({
  t,
  lang,
  item,
  session,
  onBack,
  onPoints,
}: {
  t: TFunction;
  lang: string;
  item: Item;
  session: Session | null;
  onBack: () => void;
  onPoints: (n: number) => void;
}) {
  const [view, setView] = useState<{ viewId: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [finished, setFinished] = useState(false);
  useEffect(() => {
    if (!session) return;
    let live = true;
    call<{ viewId: string }>(`/api/study/session/items/${item.id}/start`, { method: 'POST', session, lang })
      .then((v) => live && setView(v))
      .catch((e: unknown) => live && setMessage(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [item.id, session, lang]);
  const finish = async () => {
    if (!session || !view || finished) return;
    try {
      const r = await call<{ points: Points }>(`/api/study/session/views/${view.viewId}/finish`, { method: 'POST', session, lang });
      setFinished(true);
      onPoints(r.points.pointsToday);
      setMessage(r.points.awarded > 0 ? t('kiosk.study.awarded', { points: r.points.awarded }) : t('kiosk.study.recorded'));
    } catch (e) {
      if (e instanceof StudyError && e.code === 'study.dwell_too_short') {
        const d = e.details as { finishableAt?: string } | undefined;
        const left = d?.finishableAt ? Math.max(1, Math.ceil((Date.parse(d.finishableAt) - Date.now()) / 1000)) : item.minDwellSeconds;
        setMessage(t('kiosk.study.tooSoon', { seconds: left }));
      } else setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <article className="kiosk-read" data-testid="study-item">
      <button type="button" className="kiosk-back" onClick={onBack}>
        {t('kiosk.touch.back')}
      </button>
      <ItemContent t={t} item={item} onEnded={() => void finish()} />
      {session ? (
        <button type="button" className="kiosk-study-done" disabled={!view || finished} onClick={() => void finish()}>
          {t(item.task === 'watch' ? 'kiosk.study.doneWatching' : 'kiosk.study.doneReading')}
        </button>
      ) : null}
      {message ? <p role="status">{message}</p> : null}
    </article>
  );
}

function ItemContent({ t, item, onEnded }: { t: TFunction; item: Item; onEnded: () => void }) {
  const [story, setStory] = useState<{ headline: string; standfirst: string; bodyHtml: string } | null>(null);
  const [video, setVideo] = useState<{ hlsUrl: string; posterUrl: string | null } | null>(null);
  const ref = useRef<HTMLVideoElement>(null);
  const error = useHls(ref, video?.hlsUrl ?? null);
  useEffect(() => {
    let live = true;
    if (item.kind === 'article')
      void fetch(item.ref.apiUrl, { credentials: 'omit' })
        .then((r) => r.json() as Promise<{ story: { headline: string; standfirst: string; bodyHtml: string } }>)
        .then((r) => live && setStory(r.story))
        .catch(() => undefined);
    if (item.kind === 'video')
      void fetch(item.ref.apiUrl, { credentials: 'omit' })
        .then((r) => r.json() as Promise<{ video: { hlsUrl: string; posterUrl: string | null } }>)
        .then((r) => live && setVideo(r.video))
        .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [item]);
  if (item.kind === 'video')
    return (
      <>
        <h2>{item.title}</h2>
        <video ref={ref} controls autoPlay playsInline poster={video?.posterUrl ?? undefined} onEnded={onEnded} crossOrigin="anonymous" />
        {error ? <p role="alert">{error}</p> : null}
      </>
    );
  if (item.kind === 'pdf')
    return (
      <>
        <h2>{item.title}</h2>
        <div className="kiosk-read-qr">
          <PhoneQr url={`/lend/${item.ref.id}`} label={t('kiosk.touch.borrowOnPhone')} className="kiosk-qr-inline" />
          <p>{t('kiosk.touch.borrowOnPhone')}</p>
        </div>
      </>
    );
  return (
    <>
      <h2>{story?.headline ?? item.title}</h2>
      {story?.standfirst ? <p className="kiosk-read-sub">{story.standfirst}</p> : null}
      {/* Sanitised when the story was saved (modules/kitchen/sanitize.ts), as on the public story page. */}
      {story ? <div className="kiosk-read-body kiosk-study-text" dangerouslySetInnerHTML={{ __html: story.bodyHtml }} /> : null}
    </>
  );
}

function QuizView({
  t,
  lang,
  collection,
  itemId,
  session,
  onBack,
  onPoints,
}: {
  t: TFunction;
  lang: string;
  collection: Collection;
  itemId: string | null;
  session: Session | null;
  onBack: () => void;
  onPoints: (n: number) => void;
}) {
  const [attempt, setAttempt] = useState<Attempt | null>(null);
  const [chosen, setChosen] = useState<Record<string, string[]>>({});
  const [graded, setGraded] = useState<Graded | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    if (!session) return;
    let live = true;
    call<Attempt>('/api/study/session/quizzes', { method: 'POST', session, lang, body: { collectionId: collection.id, ...(itemId ? { itemId } : {}) } })
      .then((a) => live && setAttempt(a))
      .catch((e: unknown) => live && setMessage(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [collection.id, itemId, session, lang]);
  const submit = async () => {
    if (!attempt || !session) return;
    try {
      const g = await call<Graded>(`/api/study/session/quizzes/${attempt.attemptId}/answers`, {
        method: 'POST',
        session,
        lang,
        body: { answers: attempt.questions.map((q) => ({ questionId: q.id, optionIds: chosen[q.id] ?? [] })) },
      });
      setGraded(g);
      onPoints(g.points.pointsToday);
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  const pick = (q: Attempt['questions'][number], optionId: string) =>
    setChosen((c) => {
      const now = c[q.id] ?? [];
      return { ...c, [q.id]: q.multiple ? (now.includes(optionId) ? now.filter((x) => x !== optionId) : [...now, optionId]) : [optionId] };
    });
  return (
    <article className="kiosk-read" data-testid="study-quiz">
      <button type="button" className="kiosk-back" onClick={onBack}>
        {t('kiosk.touch.back')}
      </button>
      <h2>{t('kiosk.study.quizTitle', { title: collection.title })}</h2>
      {attempt?.questions.map((q, n) => {
        const result = graded?.results.find((r) => r.questionId === q.id);
        return (
          <fieldset key={q.id} className="kiosk-quiz-q">
            <legend>
              {n + 1}. {q.prompt}
            </legend>
            {q.options.map((o) => (
              <button
                key={o.id}
                type="button"
                role={q.multiple ? 'checkbox' : 'radio'}
                aria-checked={(chosen[q.id] ?? []).includes(o.id)}
                disabled={!!graded}
                data-right={result ? String(result.correctOptionIds.includes(o.id)) : undefined}
                onClick={() => pick(q, o.id)}
              >
                {o.text}
              </button>
            ))}
            {result?.explanation ? <p className="kiosk-touch-hint">{result.explanation}</p> : null}
          </fieldset>
        );
      })}
      {attempt && !graded ? (
        <button type="button" className="kiosk-study-done" onClick={() => void submit()}>
          {t('kiosk.study.submit')}
        </button>
      ) : null}
      {graded ? (
        <p role="status" data-testid="study-score">
          {t('kiosk.study.score', { score: graded.score, total: graded.total })}
          {graded.points.awarded > 0 ? ` · ${t('kiosk.study.awarded', { points: graded.points.awarded })}` : ''}
        </p>
      ) : null}
      {message ? <p role="status">{message}</p> : null}
    </article>
  );
}
