import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useStaffSearch } from '../../../api/backOffice.js';
import { api, errorMessage } from '../../../api/client.js';
import { searchUrl, type SearchReply } from '../../../api/deskSearch.js';
import { beijingInstant, beijingTime, PLAN_FORMS, useSaveIdea, useKitchenStudios, type Form, type Idea, type IdeaInput } from '../../../api/kitchenPlan.js';
import { Alert, Field, TextArea } from '../../../ui/Field.js';

interface SlotDraft {
  on: boolean;
  target: string;
  due: string;
}

/** Feeding videos: the desk's search, in review or adopted, within the editor's scope. */
function FeedPicker({ chosen, onChange }: { chosen: { id: string; title: string }[]; onChange: (v: { id: string; title: string }[]) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const found = useQuery({
    queryKey: ['kitchenPlan', 'feeds', q],
    enabled: q.trim().length > 0,
    queryFn: async () => {
      const [a, b] = await Promise.all((['adopted', 'in_review'] as const).map((status) => api<SearchReply>(searchUrl({ q: q.trim(), status, page: 1 }))));
      return [...a!.items, ...b!.items];
    },
  });
  const ids = new Set(chosen.map((c) => c.id));
  return (
    <fieldset className="k-plan-feeds">
      <legend>{t('kitchenPlan.feeds')}</legend>
      {chosen.length ? (
        <ul>
          {chosen.map((c) => (
            <li key={c.id}>
              {c.title}{' '}
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => onChange(chosen.filter((x) => x.id !== c.id))}
                aria-label={t('kitchenPlan.removeFeed', { title: c.title })}
              >
                {t('kitchenPlan.remove')}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">{t('kitchenPlan.noFeeds')}</p>
      )}
      <Field label={t('kitchenPlan.searchVideos')} type="search" value={q} onChange={(e) => setQ(e.target.value)} hint={t('kitchenPlan.searchHint')} />
      {found.isError ? <Alert>{errorMessage(found.error)}</Alert> : null}
      {found.data?.length ? (
        <ul className="k-plan-found">
          {found.data.map((v) => (
            <li key={v.id}>
              <span>
                {v.title} · {t(`kitchenPlan.videoStatus.${v.status === 'adopted' ? 'adopted' : 'in_review'}`)}
                {v.studioName ? ` · ${v.studioName}` : ''}
              </span>
              <button
                type="button"
                className="btn btn-secondary btn-sm"
                disabled={ids.has(v.id)}
                onClick={() => onChange([...chosen, { id: v.id, title: v.title }])}
                aria-label={t('kitchenPlan.addFeed', { title: v.title })}
              >
                {t('kitchenPlan.add')}
              </button>
            </li>
          ))}
        </ul>
      ) : found.isSuccess ? (
        <p className="hint">{t('kitchenPlan.noVideos')}</p>
      ) : null}
    </fieldset>
  );
}

/** Create or edit an idea: fields, a slot per form (target and due time, Beijing), feeding videos. */
export function IdeaDialog({ day, idea, defaultStudioId, onClose }: { day: string; idea?: Idea; defaultStudioId?: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const studios = useKitchenStudios();
  const save = useSaveIdea();
  const [title, setTitle] = useState(idea?.title ?? '');
  const [summary, setSummary] = useState(idea?.summary ?? '');
  const [studioId, setStudioId] = useState<string>(idea ? (idea.studioId ?? '') : (defaultStudioId ?? ''));
  const [ideaDay, setIdeaDay] = useState(idea?.day ?? day);
  const [ownerQ, setOwnerQ] = useState('');
  const staffList = useStaffSearch(ownerQ, 30);
  const [ownerId, setOwnerId] = useState(idea?.ownerId ?? '');
  const [deadline, setDeadline] = useState(idea?.deadline ? beijingTime(idea.deadline) : '');
  const [status, setStatus] = useState<Idea['status']>(idea?.status ?? 'proposed');
  const [slots, setSlots] = useState<Record<Form, SlotDraft>>(() => {
    const out = {} as Record<Form, SlotDraft>;
    for (const f of PLAN_FORMS) {
      const s = idea?.slots.find((x) => x.form === f);
      out[f] = { on: !!s, target: s?.target ?? '', due: s?.dueAt ? beijingTime(s.dueAt) : '' };
    }
    return out;
  });
  const [feeds, setFeeds] = useState(idea?.feeds.map((f) => ({ id: f.submissionId, title: f.title })) ?? []);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const input: IdeaInput & { status?: Idea['status'] } = {
      title,
      summary,
      studioId: studioId || null,
      day: ideaDay,
      ownerId: ownerId || null,
      deadline: deadline ? beijingInstant(ideaDay, deadline) : null,
      slots: PLAN_FORMS.filter((f) => slots[f].on).map((f) => ({
        form: f,
        target: slots[f].target,
        dueAt: slots[f].due ? beijingInstant(ideaDay, slots[f].due) : null,
      })),
      feeds: feeds.map((f) => f.id),
      ...(idea ? { status } : {}),
    };
    try {
      await save.mutateAsync({ id: idea?.id, input });
      onClose();
    } catch (x) {
      setError(errorMessage(x));
    }
  };
  const set = (f: Form, patch: Partial<SlotDraft>) => setSlots((s) => ({ ...s, [f]: { ...s[f], ...patch } }));
  const people = staffList.data?.users ?? [];

  return (
    <div className="k-plan-overlay">
      <div role="dialog" aria-modal="true" aria-labelledby="k-plan-dialog-h" className="k-plan-dialog panel">
        <form onSubmit={(e) => void submit(e)}>
          <h2 id="k-plan-dialog-h">{idea ? t('kitchenPlan.editIdea') : t('kitchenPlan.newIdea')}</h2>
          {error ? <Alert>{error}</Alert> : null}
          <div className="field">
            <label htmlFor="k-plan-title">{t('kitchenPlan.title')}</label>
            <input id="k-plan-title" ref={first} required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
          </div>
          <TextArea label={t('kitchenPlan.summary')} maxLength={4000} rows={3} value={summary} onChange={(e) => setSummary(e.target.value)} />
          <div className="k-plan-row">
            <div className="field">
              <label htmlFor="k-plan-studio">{t('kitchenPlan.studio')}</label>
              <select id="k-plan-studio" value={studioId} onChange={(e) => setStudioId(e.target.value)}>
                <option value="">{t('kitchenPlan.centralDesk')}</option>
                {(studios.data ?? []).map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </div>
            <Field label={t('kitchenPlan.day')} type="date" required value={ideaDay} onChange={(e) => setIdeaDay(e.target.value)} />
            <Field
              label={t('kitchenPlan.deadline')}
              type="time"
              value={deadline}
              onChange={(e) => setDeadline(e.target.value)}
              hint={t('kitchenPlan.beijingTime')}
            />
          </div>
          <div className="k-plan-row">
            <Field label={t('kitchenPlan.findOwner')} type="search" value={ownerQ} onChange={(e) => setOwnerQ(e.target.value)} />
            <div className="field">
              <label htmlFor="k-plan-owner">{t('kitchenPlan.owner')}</label>
              <select id="k-plan-owner" value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
                <option value="">{t('kitchenPlan.noOwner')}</option>
                {idea?.ownerId && !people.some((p) => p.id === idea.ownerId) ? <option value={idea.ownerId}>{idea.ownerName ?? idea.ownerId}</option> : null}
                {people
                  .filter((p) => p.roles.some((r) => r === 'editor' || r === 'chief_editor' || r === 'admin'))
                  .map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
              </select>
            </div>
            {idea ? (
              <div className="field">
                <label htmlFor="k-plan-status">{t('kitchenPlan.status')}</label>
                <select id="k-plan-status" value={status} onChange={(e) => setStatus(e.target.value as Idea['status'])}>
                  {(['proposed', 'accepted', 'dropped', 'done'] as const).map((s) => (
                    <option key={s} value={s}>
                      {t(`kitchenPlan.ideaStatus.${s}`)}
                    </option>
                  ))}
                </select>
              </div>
            ) : null}
          </div>
          <fieldset className="k-plan-slots">
            <legend>{t('kitchenPlan.slots')}</legend>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('kitchenPlan.form')}</th>
                  <th scope="col">{t('kitchenPlan.target')}</th>
                  <th scope="col">{t('kitchenPlan.due')}</th>
                </tr>
              </thead>
              <tbody>
                {PLAN_FORMS.map((f) => (
                  <tr key={f}>
                    <td>
                      <label>
                        <input type="checkbox" checked={slots[f].on} onChange={(e) => set(f, { on: e.target.checked })} /> {t(`kitchenPlan.forms.${f}`)}
                      </label>
                    </td>
                    <td>
                      <input
                        aria-label={t('kitchenPlan.targetOf', { form: t(`kitchenPlan.forms.${f}`) })}
                        maxLength={80}
                        disabled={!slots[f].on}
                        placeholder={f === 'print' ? t('kitchenPlan.targetPrint') : ''}
                        value={slots[f].target}
                        onChange={(e) => set(f, { target: e.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        type="time"
                        aria-label={t('kitchenPlan.dueOf', { form: t(`kitchenPlan.forms.${f}`) })}
                        disabled={!slots[f].on}
                        value={slots[f].due}
                        onChange={(e) => set(f, { due: e.target.value })}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </fieldset>
          <FeedPicker chosen={feeds} onChange={setFeeds} />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={save.isPending}>
              {t('kitchenPlan.save')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={onClose}>
              {t('kitchenPlan.cancel')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
