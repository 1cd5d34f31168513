import { useEffect, useState, type FormEvent } from 'react';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage } from '../api/client.js';
import { useStudios, type Studio } from '../api/desk.js';
import {
  createForm,
  fieldErrors,
  FORM_LIMITS,
  FORMS,
  kitchenFormsKeys,
  publishAction,
  putReviewChain,
  REQUIRED_FIELDS,
  reviewAction,
  saveForm,
  STEP_ROLES,
  useReviewChain,
  useReviewInbox,
  useStoryForms,
  type Form,
  type ReviewStepRole,
  type StoryForms,
  type StoryFormView,
} from '../api/kitchenForms.js';
import { CountedField } from '../features/desk/CountedField.js';
import { CHIEFS, EDITORS } from '../features/desk/deskUi.js';
import { KitchenNav } from '../features/kitchen/KitchenNav.js';
import { FormPreview } from '../features/kitchen/forms/FormPreview.js';
import { Alert, Field, TextArea } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, Tabs, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

type T = (key: string, opts?: Record<string, unknown>) => string;

const formsRoute = getRouteApi('/kitchen/stories/$id/forms');

export function StatusBadge({ status }: { status: StoryFormView['status'] }) {
  const { t } = useTranslation();
  return <span className={`badge k-forms-status k-forms-status-${status}`}>{t(`kitchenForms.status.${status}`)}</span>;
}

/** The chain as a row of steps: approved (by whom, when), the one holding the form now, those to come. */
function ChainProgress({ f }: { f: StoryFormView }) {
  const { t, i18n } = useTranslation();
  return (
    <ol className="k-forms-chain" aria-label={t('kitchenForms.chain.label')}>
      {f.chain.map((role, i) => {
        const approval = f.approvals.find((a) => a.step === i);
        const holding = f.holder?.step === i;
        const state = f.status === 'ready' || f.status === 'published' || approval ? 'done' : holding ? 'now' : 'todo';
        return (
          <li key={`${i}-${role}`} className={`k-forms-step k-forms-step-${state}`} aria-current={holding ? 'step' : undefined}>
            <strong>
              {i + 1}. {t(`kitchenForms.roles.${role}`)}
            </strong>
            {approval ? (
              <span className="small">{t('kitchenForms.chain.approvedBy', { name: approval.actor.name, at: formatDateTime(approval.at, i18n.language) })}</span>
            ) : holding ? (
              <span className="small">
                {f.holder?.user ? t('kitchenForms.chain.heldBy', { name: f.holder.user.name }) : t('kitchenForms.chain.heldByRole')}
              </span>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

function History({ f }: { f: StoryFormView }) {
  const { t, i18n } = useTranslation();
  if (!f.history.length) return null;
  return (
    <details className="k-forms-history">
      <summary>{t('kitchenForms.history.title', { count: f.history.length })}</summary>
      <ol>
        {[...f.history].reverse().map((h, i) => (
          <li key={i}>
            <span className="muted small">{formatDateTime(h.at, i18n.language)}</span>{' '}
            {t(`kitchenForms.history.${h.action}`, { name: h.actor.name, round: h.round + 1, role: h.role ? t(`kitchenForms.roles.${h.role}`) : '' })}
            {h.note ? <blockquote className="k-forms-note">{h.note}</blockquote> : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** The editable fields of one form, with live counters against its limits. */
function FormFields({
  form,
  draft,
  set,
  errors,
  disabled,
  t,
}: {
  form: Form;
  draft: Record<string, unknown>;
  set: (k: string, v: unknown) => void;
  errors: Record<string, string>;
  disabled: boolean;
  t: T;
}) {
  const limits = FORM_LIMITS[form];
  const text = (k: string, multiline = false) => (
    <div key={k}>
      <CountedField
        label={t(`kitchenForms.fields.${k}`)}
        value={typeof draft[k] === 'string' ? (draft[k] as string) : ''}
        onChange={(v) => set(k, v)}
        max={limits[k]!}
        min={REQUIRED_FIELDS.has(k) ? 1 : 0}
        multiline={multiline}
        disabled={disabled}
      />
      {errors[k] ? <p className="field-error">{errors[k]}</p> : null}
    </div>
  );
  const html = (
    <TextArea
      key="bodyHtml"
      label={t('kitchenForms.fields.bodyHtml')}
      rows={10}
      value={typeof draft.bodyHtml === 'string' ? draft.bodyHtml : ''}
      onChange={(e) => set('bodyHtml', e.target.value)}
      disabled={disabled}
      error={errors.bodyHtml ?? null}
    />
  );
  switch (form) {
    case 'print':
      return (
        <>
          {text('headline')}
          {text('standfirst', true)}
          {html}
          <div className="k-forms-row">
            <Field
              label={t('kitchenForms.fields.columns')}
              type="number"
              min={1}
              max={12}
              value={typeof draft.columns === 'number' ? draft.columns : ''}
              onChange={(e) => set('columns', Number(e.target.value))}
              disabled={disabled}
              error={errors.columns ?? null}
            />
            <Field
              label={t('kitchenForms.fields.edition')}
              type="date"
              value={typeof draft.edition === 'string' ? draft.edition : ''}
              onChange={(e) => set('edition', e.target.value || null)}
              disabled={disabled}
              error={errors.edition ?? null}
            />
            {text('page')}
          </div>
        </>
      );
    case 'web':
    case 'app':
      return (
        <>
          {text('headline')}
          {text('standfirst', true)}
          {html}
        </>
      );
    case 'weibo':
      return (
        <>
          {text('text', true)}
          <p className="hint">{t('kitchenForms.fields.weiboHint')}</p>
        </>
      );
    case 'wechat':
      return (
        <>
          {text('title')}
          {text('digest', true)}
          {text('author')}
          {html}
        </>
      );
    case 'toutiao':
    case 'penguin':
      return (
        <>
          {text('title')}
          {text('summary', true)}
        </>
      );
    case 'screen':
      return (
        <>
          {text('headline')}
          {text('subline')}
        </>
      );
  }
}

/** One form's tab: fields, preview, status, chain, and the actions this person may take now. */
function FormPanel({ storyId, story, f }: { storyId: string; story: StoryForms['story']; f: StoryFormView }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Record<string, unknown>>(f.content);
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: 'error' | 'success' | 'info'; text: string; stale?: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [noteOpen, setNoteOpen] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => {
    if (!dirty) setDraft(f.content);
  }, [f.content, f.version, dirty]);

  const refresh = () => qc.invalidateQueries({ queryKey: kitchenFormsKeys.forms(storyId) });
  const run = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await fn();
      setMessage({ tone: 'success', text: done });
      await refresh();
      return true;
    } catch (x) {
      if (x instanceof ApiError && x.code === 'kitchen.form_invalid') setErrors(fieldErrors(x.details));
      if (x instanceof ApiError && x.status === 404 && done === t('kitchenForms.publish.done')) {
        setMessage({ tone: 'info', text: t('kitchenForms.publish.unavailable') });
      } else {
        setMessage({
          tone: 'error',
          text: errorMessage(x),
          stale: x instanceof ApiError && (x.code === 'kitchen.stale_version' || x.code === 'kitchen.review_moved'),
        });
      }
      return false;
    } finally {
      setBusy(false);
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    const changed = Object.fromEntries(Object.entries(draft).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(f.content[k])));
    if (!Object.keys(changed).length) return;
    if (await run(() => saveForm(storyId, f.form, f.version, changed), t('kitchenForms.saved'))) setDirty(false);
  };
  const reload = async () => {
    setDirty(false);
    setMessage(null);
    await refresh();
  };
  const restartWarning = dirty && (f.status === 'in_review' || f.status === 'ready' || f.status === 'published');
  const label = t(`kitchenForms.forms.${f.form}`);

  return (
    <div className="k-forms-panel">
      <div className="k-forms-head">
        <StatusBadge status={f.status} />
        <span className="muted small">
          {t('kitchenForms.version', { version: f.version })}
          {f.updatedBy ? ` · ${t('kitchenForms.updatedBy', { name: f.updatedBy.name, at: formatDateTime(f.updatedAt, i18n.language) })}` : ''}
        </span>
        {f.url ? (
          <a href={f.url} target="_blank" rel="noreferrer">
            {t('kitchenForms.openPublished')}
          </a>
        ) : null}
        {f.form === 'print' ? <a href={`/kitchen/stories/${storyId}/print`}>{t('kitchenForms.printLink')}</a> : null}
      </div>
      {f.lastError ? <Alert>{t('kitchenForms.lastError', { error: f.lastError })}</Alert> : null}
      {f.sendBackNote ? (
        <div className="alert alert-info k-forms-sendback" role="note">
          <strong>{t('kitchenForms.sentBack', { name: f.sendBackNote.actor.name })}</strong>
          <blockquote className="k-forms-note">{f.sendBackNote.note}</blockquote>
        </div>
      ) : null}
      {message ? (
        <Alert tone={message.tone}>
          {message.text}{' '}
          {message.stale ? (
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => void reload()}>
              {t('kitchenForms.reload')}
            </button>
          ) : null}
        </Alert>
      ) : null}

      <ChainProgress f={f} />
      <div className="k-forms-actions">
        {f.status === 'in_edit' ? (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy || dirty}
            onClick={() => void run(() => reviewAction(storyId, f, 'submit'), t('kitchenForms.submitted'))}
          >
            {t('kitchenForms.actions.submit')}
          </button>
        ) : null}
        {f.status === 'in_review' && f.youMayAct ? (
          <>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={() => void run(() => reviewAction(storyId, f, 'approve'), t('kitchenForms.approved'))}
            >
              {t('kitchenForms.actions.approve', { role: t(`kitchenForms.roles.${f.holder!.role}`) })}
            </button>
            <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => setNoteOpen(true)} aria-expanded={noteOpen}>
              {t('kitchenForms.actions.sendBack')}
            </button>
          </>
        ) : null}
        {f.status === 'in_review' && !f.youMayAct ? <span className="muted small">{t('kitchenForms.notYours')}</span> : null}
        {f.status === 'ready' ? (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void run(() => publishAction(storyId, f.form, 'publish'), t('kitchenForms.publish.done'))}
          >
            {t('kitchenForms.publish.publish', { form: label })}
          </button>
        ) : null}
        {f.status === 'published' ? (
          <button
            type="button"
            className="btn btn-danger"
            disabled={busy}
            onClick={() => void run(() => publishAction(storyId, f.form, 'unpublish'), t('kitchenForms.publish.done'))}
          >
            {t('kitchenForms.publish.unpublish', { form: label })}
          </button>
        ) : null}
      </div>
      {noteOpen ? (
        <form
          className="k-forms-notebox"
          role="dialog"
          aria-label={t('kitchenForms.actions.sendBack')}
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => reviewAction(storyId, f, 'send-back', note.trim()), t('kitchenForms.sentBackDone')).then((ok) => {
              if (ok) {
                setNote('');
                setNoteOpen(false);
              }
            });
          }}
        >
          <TextArea label={t('kitchenForms.note')} value={note} maxLength={2000} rows={3} required autoFocus onChange={(e) => setNote(e.target.value)} />
          <div className="row-actions">
            <button type="submit" className="btn btn-primary" disabled={busy || !note.trim()}>
              {t('kitchenForms.actions.sendBackConfirm')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setNoteOpen(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : null}

      {f.status === 'planned' ? (
        <p>
          {t('kitchenForms.planned')}{' '}
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            disabled={busy}
            onClick={() => void run(() => createForm(storyId, f.form), t('kitchenForms.created'))}
          >
            {t('kitchenForms.fillIn')}
          </button>
        </p>
      ) : (
        <div className="k-forms-grid">
          <form onSubmit={(e) => void save(e)} className="k-forms-fields" aria-label={t('kitchenForms.fieldsOf', { form: label })}>
            <FormFields
              form={f.form}
              draft={draft}
              set={(k, v) => {
                setDraft((d) => ({ ...d, [k]: v }));
                setDirty(true);
              }}
              errors={errors}
              disabled={busy}
              t={t}
            />
            {restartWarning ? <Alert tone="info">{t('kitchenForms.restartWarning')}</Alert> : null}
            <div className="row-actions">
              <button type="submit" className="btn btn-primary" disabled={busy || !dirty}>
                {t('kitchenForms.save')}
              </button>
              {dirty ? (
                <button type="button" className="btn btn-ghost" onClick={() => void reload()}>
                  {t('kitchenForms.discard')}
                </button>
              ) : null}
            </div>
          </form>
          <section className="k-forms-preview" aria-label={t('kitchenForms.preview.title')}>
            <h3 className="small muted">{t('kitchenForms.preview.title')}</h3>
            <FormPreview
              form={f.form}
              draft={draft}
              savedBodyHtml={typeof f.content.bodyHtml === 'string' ? f.content.bodyHtml : ''}
              hasVideo={story.hasVideo}
              storyId={storyId}
            />
          </section>
        </div>
      )}
      <History f={f} />
    </div>
  );
}

function AddForm({ storyId, existing, hasVideo, onAdded }: { storyId: string; existing: Form[]; hasVideo: boolean; onAdded: (f: Form) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const missing = FORMS.filter((f) => !existing.includes(f));
  const [form, setForm] = useState<Form | ''>('');
  const [error, setError] = useState<string | null>(null);
  if (!missing.length) return null;
  return (
    <form
      className="k-forms-add"
      onSubmit={(e) => {
        e.preventDefault();
        if (!form) return;
        setError(null);
        createForm(storyId, form)
          .then(async () => {
            await qc.invalidateQueries({ queryKey: kitchenFormsKeys.forms(storyId) });
            onAdded(form);
            setForm('');
          })
          .catch((x: unknown) => setError(errorMessage(x)));
      }}
    >
      <label>
        {t('kitchenForms.add.label')}{' '}
        <select value={form} onChange={(e) => setForm(e.target.value as Form)}>
          <option value="">{t('kitchenForms.add.choose')}</option>
          {missing.map((f) => (
            <option key={f} value={f} disabled={!hasVideo && (f === 'toutiao' || f === 'penguin')}>
              {t(`kitchenForms.forms.${f}`)}
              {!hasVideo && (f === 'toutiao' || f === 'penguin') ? ` (${t('kitchenForms.add.needsVideo')})` : ''}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit" className="btn btn-secondary btn-sm" disabled={!form}>
        {t('kitchenForms.add.make')}
      </button>
      {error ? <Alert>{error}</Alert> : null}
    </form>
  );
}

export function KitchenFormsPage() {
  const { id } = formsRoute.useParams();
  const { t } = useTranslation();
  const q = useStoryForms(id);
  const [active, setActive] = useState<Form | null>(null);
  useTitle(q.data ? t('kitchenForms.title', { headline: q.data.story.headline }) : t('kitchenForms.titlePlain'));
  return (
    <RequireRole roles={EDITORS}>
      {(me) => (
        <section className="panel k-forms" aria-labelledby="k-forms-h">
          <KitchenNav me={me} />
          {q.isPending ? (
            <Loading />
          ) : q.isError ? (
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          ) : (
            <>
              <div className="page-head">
                <h1 id="k-forms-h">{t('kitchenForms.title', { headline: q.data.story.headline })}</h1>
                <a href={`/kitchen/stories/${id}`}>{t('kitchenForms.backToStory')}</a>
              </div>
              {q.data.story.studioName ? <p className="muted">{t('kitchenForms.studio', { name: q.data.story.studioName })}</p> : null}
              <AddForm storyId={id} existing={q.data.forms.map((f) => f.form)} hasVideo={q.data.story.hasVideo} onAdded={setActive} />
              {q.data.forms.length === 0 ? (
                <p className="empty-state">{t('kitchenForms.none')}</p>
              ) : (
                <FormTabs storyId={id} data={q.data} active={active} setActive={setActive} />
              )}
            </>
          )}
        </section>
      )}
    </RequireRole>
  );
}

function FormTabs({ storyId, data, active, setActive }: { storyId: string; data: StoryForms; active: Form | null; setActive: (f: Form) => void }) {
  const { t } = useTranslation();
  const current = data.forms.find((f) => f.form === active) ?? data.forms[0]!;
  return (
    <>
      <Tabs
        label={t('kitchenForms.tabsLabel')}
        idPrefix="k-forms"
        tabs={data.forms.map((f) => ({ id: f.form, label: `${t(`kitchenForms.forms.${f.form}`)} · ${t(`kitchenForms.status.${f.status}`)}` }))}
        active={current.form}
        onChange={(x) => setActive(x as Form)}
      />
      <div role="tabpanel" id={`k-forms-panel-${current.form}`} aria-labelledby={`k-forms-tab-${current.form}`}>
        <FormPanel key={current.form} storyId={storyId} story={data.story} f={current} />
      </div>
    </>
  );
}

/** What I hold now, oldest first. */
export function KitchenReviewInboxPage() {
  const { t, i18n } = useTranslation();
  const q = useReviewInbox();
  useTitle(t('kitchenForms.inbox.title'));
  return (
    <RequireRole roles={EDITORS}>
      {(me) => (
        <section className="panel" aria-labelledby="k-inbox-h">
          <KitchenNav me={me} />
          <h1 id="k-inbox-h">{t('kitchenForms.inbox.title')}</h1>
          <p className="muted">{t('kitchenForms.inbox.intro')}</p>
          {q.isPending ? (
            <Loading />
          ) : q.isError ? (
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          ) : q.data.length === 0 ? (
            <p className="empty-state">{t('kitchenForms.inbox.empty')}</p>
          ) : (
            <table className="table k-forms-inbox">
              <thead>
                <tr>
                  <th scope="col">{t('kitchenForms.inbox.story')}</th>
                  <th scope="col">{t('kitchenForms.inbox.studio')}</th>
                  <th scope="col">{t('kitchenForms.inbox.form')}</th>
                  <th scope="col">{t('kitchenForms.inbox.step')}</th>
                  <th scope="col">{t('kitchenForms.inbox.submittedBy')}</th>
                  <th scope="col">{t('kitchenForms.inbox.waiting')}</th>
                </tr>
              </thead>
              <tbody>
                {q.data.map((i) => (
                  <tr key={`${i.storyId}-${i.form}`}>
                    <td>
                      <Link to="/kitchen/stories/$id/forms" params={{ id: i.storyId }}>
                        {i.headline}
                      </Link>
                    </td>
                    <td>{i.studioName ?? t('kitchenForms.centralDesk')}</td>
                    <td>{t(`kitchenForms.forms.${i.form}`)}</td>
                    <td>
                      {i.step + 1}. {t(`kitchenForms.roles.${i.role}`)}
                    </td>
                    <td>{i.submittedBy?.name ?? '—'}</td>
                    <td>{formatDateTime(i.waitingSince, i18n.language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </RequireRole>
  );
}

function ChainEditor({ studio }: { studio: Studio }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useReviewChain(studio.id);
  const [steps, setSteps] = useState<ReviewStepRole[] | null>(null);
  const [msg, setMsg] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const shown = steps ?? q.data.steps;
  const change = (i: number, role: ReviewStepRole | null) => {
    const next = [...shown];
    if (role === null) next.splice(i, 1);
    else next[i] = role;
    setSteps(next);
  };
  return (
    <section className="k-forms-chain-editor" aria-labelledby={`chain-${studio.id}`}>
      <h2 id={`chain-${studio.id}`}>{studio.name}</h2>
      <p className="muted small">
        {q.data.isDefault
          ? t('kitchenForms.chains.default')
          : t('kitchenForms.chains.setBy', {
              name: q.data.updatedBy?.name ?? '—',
              at: q.data.updatedAt ? formatDateTime(q.data.updatedAt, i18n.language) : '—',
            })}
      </p>
      <ol>
        {shown.map((role, i) => (
          <li key={i}>
            <label>
              <span className="sr-only">{t('kitchenForms.chains.step', { n: i + 1 })}</span>
              <select value={role} onChange={(e) => change(i, e.target.value as ReviewStepRole)}>
                {STEP_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`kitchenForms.roles.${r}`)}
                  </option>
                ))}
              </select>
            </label>{' '}
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              disabled={shown.length <= 1}
              aria-label={t('kitchenForms.chains.removeStep', { n: i + 1 })}
              onClick={() => change(i, null)}
            >
              ×
            </button>
          </li>
        ))}
      </ol>
      <div className="row-actions">
        <button type="button" className="btn btn-secondary btn-sm" disabled={shown.length >= 5} onClick={() => setSteps([...shown, 'editor'])}>
          {t('kitchenForms.chains.addStep')}
        </button>
        <button
          type="button"
          className="btn btn-primary btn-sm"
          disabled={busy || steps === null}
          onClick={() => {
            setBusy(true);
            setMsg(null);
            putReviewChain(studio.id, shown)
              .then(async () => {
                setSteps(null);
                await qc.invalidateQueries({ queryKey: kitchenFormsKeys.chain(studio.id) });
                setMsg({ tone: 'success', text: t('kitchenForms.chains.saved') });
              })
              .catch((x: unknown) => setMsg({ tone: 'error', text: errorMessage(x) }))
              .finally(() => setBusy(false));
          }}
        >
          {t('kitchenForms.chains.save')}
        </button>
      </div>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
    </section>
  );
}

/** Chief editors set each studio's chain (default 三审). */
export function KitchenReviewChainsPage() {
  const { t } = useTranslation();
  const studios = useStudios();
  useTitle(t('kitchenForms.chains.title'));
  return (
    <RequireRole roles={CHIEFS}>
      {(me) => (
        <section className="panel" aria-labelledby="k-chains-h">
          <KitchenNav me={me} />
          <h1 id="k-chains-h">{t('kitchenForms.chains.title')}</h1>
          <p className="muted">{t('kitchenForms.chains.intro')}</p>
          {studios.isPending ? (
            <Loading />
          ) : studios.isError ? (
            <ErrorState error={studios.error} onRetry={() => void studios.refetch()} />
          ) : studios.data.length === 0 ? (
            <p className="empty-state">{t('kitchenForms.chains.noStudios')}</p>
          ) : (
            <div className="k-forms-chains">
              {studios.data.map((s) => (
                <ChainEditor key={s.id} studio={s} />
              ))}
            </div>
          )}
        </section>
      )}
    </RequireRole>
  );
}
