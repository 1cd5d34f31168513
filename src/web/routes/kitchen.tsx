import { useEffect, useState, type FormEvent } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useStudios } from '../api/desk.js';
import { KITCHEN_FORM_STATUSES, KITCHEN_FORMS, ONLINE_NOT_PRINT, useStories, type StoryFilters, type StoryListItem } from '../api/kitchenStories.js';
import { EDITORS } from '../features/desk/deskUi.js';
import { KitchenNav } from '../features/kitchen/KitchenNav.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

const route = getRouteApi('/kitchen');

/** "web:published" → "Web is published", "print:!published" → "Print is not published". */
function useConditionLabel() {
  const { t } = useTranslation();
  return (c: string) => {
    const [form = '', rest = ''] = c.split(':');
    const not = rest.startsWith('!');
    const status = not ? rest.slice(1) : rest;
    return `${t(`kitchenStories.form.${form}`)} ${not ? t('kitchenStories.list.formIsNot') : t('kitchenStories.list.formIs')} ${t(`kitchenStories.status.${status}`)}`;
  };
}

function Filters({ f }: { f: StoryFilters }) {
  const { t } = useTranslation();
  const navigate = useNavigate({ from: '/kitchen' });
  const studios = useStudios();
  const label = useConditionLabel();
  const [q, setQ] = useState(f.q ?? '');
  const [tag, setTag] = useState(f.tag ?? '');
  const [form, setForm] = useState<string>('print');
  const [not, setNot] = useState(false);
  const [status, setStatus] = useState<string>('published');
  useEffect(() => setQ(f.q ?? ''), [f.q]);
  useEffect(() => setTag(f.tag ?? ''), [f.tag]);
  const set = (patch: Partial<StoryFilters>) => void navigate({ search: (s) => ({ ...s, ...patch }) });
  const conditions = f.form ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    set({ q: q.trim() || undefined, tag: tag.trim() || undefined });
  };
  const preset = ONLINE_NOT_PRINT.every((c) => conditions.includes(c)) && conditions.length === ONLINE_NOT_PRINT.length;
  return (
    <form className="k-stories-filters" onSubmit={submit} role="search">
      <label>
        {t('kitchenStories.list.search')}
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={100} />
      </label>
      <label>
        {t('kitchenStories.list.tag')}
        <input value={tag} onChange={(e) => setTag(e.target.value)} maxLength={30} />
      </label>
      <label>
        {t('kitchenStories.list.studio')}
        <select value={f.studioId ?? ''} onChange={(e) => set({ studioId: e.target.value || undefined })}>
          <option value="">{t('kitchenStories.list.anyStudio')}</option>
          {(studios.data ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn">
        {t('kitchenStories.list.apply')}
      </button>
      <fieldset className="k-stories-conditions">
        <legend>{t('kitchenStories.list.formFilter')}</legend>
        <button
          type="button"
          className={`btn ${preset ? '' : 'btn-secondary'}`}
          aria-pressed={preset}
          onClick={() => set({ form: preset ? undefined : [...ONLINE_NOT_PRINT] })}
        >
          {t('kitchenStories.list.presetOnlineNotPrint')}
        </button>
        {conditions.map((c) => (
          <span key={c} className="k-stories-chip">
            {label(c)}
            <button
              type="button"
              aria-label={t('kitchenStories.list.removeCondition', { label: label(c) })}
              onClick={() => set({ form: conditions.filter((x) => x !== c).length ? conditions.filter((x) => x !== c) : undefined })}
            >
              ×
            </button>
          </span>
        ))}
        <select aria-label={t('kitchenStories.list.formFilter')} value={form} onChange={(e) => setForm(e.target.value)}>
          {KITCHEN_FORMS.map((x) => (
            <option key={x} value={x}>
              {t(`kitchenStories.form.${x}`)}
            </option>
          ))}
        </select>
        <select
          aria-label={`${t('kitchenStories.list.formIs')} / ${t('kitchenStories.list.formIsNot')}`}
          value={not ? 'not' : 'is'}
          onChange={(e) => setNot(e.target.value === 'not')}
        >
          <option value="is">{t('kitchenStories.list.formIs')}</option>
          <option value="not">{t('kitchenStories.list.formIsNot')}</option>
        </select>
        <select aria-label={t('kitchenStories.list.formFilter')} value={status} onChange={(e) => setStatus(e.target.value)}>
          {KITCHEN_FORM_STATUSES.map((x) => (
            <option key={x} value={x}>
              {t(`kitchenStories.status.${x}`)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => {
            const c = `${form}:${not ? '!' : ''}${status}`;
            if (!conditions.includes(c)) set({ form: [...conditions, c] });
          }}
        >
          {t('kitchenStories.list.addCondition')}
        </button>
      </fieldset>
      {f.q || f.tag || f.studioId || conditions.length ? (
        <Link to="/kitchen" search={{}} className="btn btn-secondary">
          {t('kitchenStories.list.clear')}
        </Link>
      ) : null}
    </form>
  );
}

export function FormBadges({ forms }: { forms: StoryListItem['forms'] }) {
  const { t } = useTranslation();
  if (!forms.length) return <span className="muted">{t('kitchenStories.list.noForms')}</span>;
  return (
    <ul className="k-stories-forms">
      {forms.map((f) => (
        <li key={f.form} className={`k-stories-form k-stories-form-${f.status}`}>
          {t(`kitchenStories.form.${f.form}`)} · {t(`kitchenStories.status.${f.status}`)}
        </li>
      ))}
    </ul>
  );
}

export function KitchenStoriesPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('kitchenStories.list.title'));
  const f = route.useSearch();
  const stories = useStories(f);
  const items = stories.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <RequireRole roles={EDITORS}>
      {() => (
        <div className="staff k-stories">
          <KitchenNav />
          <div className="k-stories-head">
            <h1>{t('kitchenStories.list.title')}</h1>
            <Link to="/kitchen/stories/new" className="btn">
              {t('kitchenStories.list.new')}
            </Link>
          </div>
          <p className="muted">{t('kitchenStories.list.intro')}</p>
          <Filters f={f} />
          {stories.isPending ? (
            <Loading />
          ) : stories.isError ? (
            <ErrorState error={stories.error} onRetry={() => void stories.refetch()} />
          ) : items.length === 0 ? (
            <p className="empty">{t('kitchenStories.list.empty')}</p>
          ) : (
            <table className="table k-stories-table">
              <thead>
                <tr>
                  <th scope="col">{t('kitchenStories.list.headline')}</th>
                  <th scope="col">{t('kitchenStories.list.studio')}</th>
                  <th scope="col">{t('kitchenStories.list.forms')}</th>
                  <th scope="col">{t('kitchenStories.list.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link to="/kitchen/stories/$id" params={{ id: s.id }}>
                        {s.headline}
                      </Link>
                      <div className="muted">
                        {s.byline} {s.tags.length ? `· ${s.tags.join(i18n.language === 'zh-CN' ? '、' : ', ')}` : ''}
                      </div>
                    </td>
                    <td>{s.studio?.name ?? t('kitchenStories.list.centralDesk')}</td>
                    <td>
                      <FormBadges forms={s.forms} />
                    </td>
                    <td>
                      {formatDateTime(s.updatedAt, i18n.language)}
                      <div className="muted">
                        {t('kitchenStories.list.by', { name: s.updatedBy.name })} · {t('kitchenStories.list.version', { version: s.version })}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {stories.hasNextPage ? (
            <button type="button" className="btn btn-secondary" disabled={stories.isFetchingNextPage} onClick={() => void stories.fetchNextPage()}>
              {t('kitchenStories.list.more')}
            </button>
          ) : null}
        </div>
      )}
    </RequireRole>
  );
}
