import { useState } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.js';
import {
  beijingTime,
  PLAN_FORMS,
  PLAN_STATUSES,
  shiftDay,
  todayInBeijing,
  useBoard,
  useKitchenStudio,
  useKitchenStudios,
  useStoryFromIdea,
  type Board,
  type BoardSlot,
  type Idea,
  type StudioOverview,
} from '../api/kitchenPlan.js';
import { EDITORS } from '../features/desk/deskUi.js';
import { KitchenNav } from '../features/kitchen/KitchenNav.js';
import { IdeaDialog } from '../features/kitchen/plan/IdeaDialog.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';

const storyHref = (id: string) => `/kitchen/stories/${id}`;

function SlotChip({ slot, day }: { slot: BoardSlot; day: string }) {
  const { t } = useTranslation();
  const status = slot.status ? t(`kitchenPlan.formStatus.${slot.status}`) : t('kitchenPlan.noForm');
  const label = [
    t(`kitchenPlan.forms.${slot.form}`),
    slot.target,
    status,
    slot.dueAt ? beijingTime(slot.dueAt, day) : '',
    slot.late ? t('kitchenPlan.late') : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <li className={`k-plan-chip k-plan-s-${slot.status ?? 'none'}${slot.late ? ' k-plan-late' : ''}`} title={label} aria-label={label}>
      <strong>{t(`kitchenPlan.formsShort.${slot.form}`)}</strong>
      {slot.target ? <span className="k-plan-target">{slot.target}</span> : null}
      <span>{status}</span>
      {slot.dueAt ? <time dateTime={slot.dueAt}>{beijingTime(slot.dueAt, day)}</time> : null}
      {slot.late ? <span className="k-plan-late-tag">{t('kitchenPlan.late')}</span> : null}
    </li>
  );
}

function IdeaCard({ idea, day, onEdit }: { idea: Idea; day: string; onEdit: (i: Idea) => void }) {
  const { t } = useTranslation();
  const story = useStoryFromIdea();
  return (
    <article className={`k-plan-idea k-plan-i-${idea.status}${idea.late ? ' k-plan-late' : ''}`} aria-labelledby={`idea-${idea.id}`}>
      <header>
        <h3 id={`idea-${idea.id}`}>{idea.title}</h3>
        <span className={`badge k-plan-status-${idea.status}`}>{t(`kitchenPlan.ideaStatus.${idea.status}`)}</span>
        {idea.late ? <span className="badge k-plan-late-tag">{t('kitchenPlan.late')}</span> : null}
      </header>
      <p className="k-plan-meta">
        {t('kitchenPlan.ownerIs', { name: idea.ownerName ?? t('kitchenPlan.noOwner') })}
        {idea.deadline ? (
          <>
            {' · '}
            {t('kitchenPlan.deadlineAt')} <time dateTime={idea.deadline}>{beijingTime(idea.deadline, day)}</time>
          </>
        ) : null}
        {idea.feeds.length ? ` · ${t('kitchenPlan.feedCount', { count: idea.feeds.length })}` : ''}
      </p>
      {idea.slots.length ? (
        <ul className="k-plan-chips" aria-label={t('kitchenPlan.slots')}>
          {idea.slots.map((s) => (
            <SlotChip key={s.form} slot={s} day={day} />
          ))}
        </ul>
      ) : (
        <p className="hint">{t('kitchenPlan.noSlots')}</p>
      )}
      {story.isError ? <Alert>{errorMessage(story.error)}</Alert> : null}
      <div className="row-actions">
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => onEdit(idea)} aria-label={t('kitchenPlan.editLabel', { title: idea.title })}>
          {t('kitchenPlan.edit')}
        </button>
        {idea.storyId ? (
          <a className="btn btn-ghost btn-sm" href={storyHref(idea.storyId)}>
            {t('kitchenPlan.openStory')}
          </a>
        ) : idea.status !== 'dropped' ? (
          <button
            type="button"
            className="btn btn-primary btn-sm"
            disabled={story.isPending}
            onClick={() => story.mutate(idea.id)}
            aria-label={t('kitchenPlan.createStoryLabel', { title: idea.title })}
          >
            {t('kitchenPlan.createStory')}
          </button>
        ) : null}
      </div>
    </article>
  );
}

function Counts({ counts }: { counts: Board['studios'][number]['counts'] }) {
  const { t } = useTranslation();
  const forms = PLAN_FORMS.filter((f) => counts[f]);
  if (!forms.length) return null;
  return (
    <dl className="k-plan-counts">
      {forms.map((f) => (
        <div key={f}>
          <dt>{t(`kitchenPlan.formsShort.${f}`)}</dt>
          <dd>
            {Object.entries(counts[f]!)
              .map(([s, n]) => `${s === 'none' ? t('kitchenPlan.noForm') : t(`kitchenPlan.formStatus.${s}`)} ${n}`)
              .join(' · ')}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The day's budget board: a column per studio, each idea with its slot chips, late in red. */
export function KitchenPlanPage() {
  const { t } = useTranslation();
  useTitle(t('kitchenPlan.boardTitle'));
  return <RequireRole roles={EDITORS}>{() => <PlanBoard />}</RequireRole>;
}

function PlanBoard() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  // The day is in the address: a board is a link another editor can open.
  const day = getRouteApi('/kitchen/plan').useSearch().day ?? todayInBeijing();
  const setDay = (d: string) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(d)) void navigate({ to: '/kitchen/plan', search: { day: d }, replace: true });
  };
  const board = useBoard(day);
  const [dialog, setDialog] = useState<{ idea?: Idea; studioId?: string | null } | null>(null);
  return (
    <section className="k-plan-page" aria-labelledby="k-plan-h">
      <KitchenNav />
      <div className="page-head">
        <h1 id="k-plan-h">{t('kitchenPlan.boardTitle')}</h1>
        <div className="k-plan-daybar">
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDay(shiftDay(day, -1))}>
            {t('kitchenPlan.prevDay')}
          </button>
          <label>
            <span className="sr-only">{t('kitchenPlan.day')}</span>
            <input type="date" value={day} onChange={(e) => setDay(e.target.value)} />
          </label>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDay(shiftDay(day, 1))}>
            {t('kitchenPlan.nextDay')}
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDay(todayInBeijing())}>
            {t('kitchenPlan.today')}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => setDialog({})}>
            {t('kitchenPlan.newIdea')}
          </button>
        </div>
      </div>
      <p className="hint">{t('kitchenPlan.tzNote')}</p>
      {board.isPending ? <Loading /> : null}
      {board.isError ? <ErrorState error={board.error} onRetry={() => void board.refetch()} /> : null}
      {board.data ? (
        <>
          {board.data.late.length ? (
            <div className="k-plan-latebar" role="status">
              <strong>{t('kitchenPlan.lateCount', { count: board.data.late.length })}</strong>{' '}
              {board.data.late
                .map((l) =>
                  l.forms.length
                    ? t('kitchenPlan.lateItem', { title: l.title, forms: l.forms.map((f) => t(`kitchenPlan.formsShort.${f}`)).join(t('kitchenPlan.listSep')) })
                    : l.title,
                )
                .join(' · ')}
            </div>
          ) : (
            <p role="status" className="k-plan-ontime">
              {t('kitchenPlan.nothingLate')}
            </p>
          )}
          {board.data.studios.length === 0 ? <p>{t('kitchenPlan.noStudios')}</p> : null}
          <div className="k-plan-columns">
            {board.data.studios.map((col) => (
              <section key={col.studioId ?? 'central'} className="k-plan-column" aria-labelledby={`col-${col.studioId ?? 'central'}`}>
                <header>
                  <h2 id={`col-${col.studioId ?? 'central'}`}>
                    {col.studioId ? <a href={`/kitchen/studios/${col.studioId}`}>{col.name}</a> : t('kitchenPlan.centralDesk')}
                  </h2>
                  <span className="k-plan-colstat">
                    {t('kitchenPlan.ideaCount', { count: col.ideas.length })}
                    {col.late ? <span className="k-plan-late-tag"> · {t('kitchenPlan.lateCount', { count: col.late })}</span> : null}
                  </span>
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm"
                    onClick={() => setDialog({ studioId: col.studioId })}
                    aria-label={t('kitchenPlan.newIdeaFor', { name: col.name ?? t('kitchenPlan.centralDesk') })}
                  >
                    +
                  </button>
                </header>
                <Counts counts={col.counts} />
                {col.ideas.length ? (
                  col.ideas.map((i) => <IdeaCard key={i.id} idea={i} day={day} onEdit={(idea) => setDialog({ idea })} />)
                ) : (
                  <p className="hint">{t('kitchenPlan.noIdeas')}</p>
                )}
              </section>
            ))}
          </div>
        </>
      ) : null}
      {dialog ? <IdeaDialog day={day} idea={dialog.idea} defaultStudioId={dialog.studioId} onClose={() => setDialog(null)} /> : null}
    </section>
  );
}

function Stages({ stages }: { stages: StudioOverview['stages'] }) {
  const { t } = useTranslation();
  return (
    <dl className="k-plan-stages">
      {PLAN_STATUSES.map((s) => (
        <div key={s}>
          <dt>{t(`kitchenPlan.formStatus.${s}`)}</dt>
          <dd>{stages[s] ?? 0}</dd>
        </div>
      ))}
    </dl>
  );
}

function StudioFigures({ s }: { s: StudioOverview }) {
  const { t, i18n } = useTranslation();
  const n = (v: number) => v.toLocaleString(i18n.language);
  return (
    <>
      <p className="k-plan-figures">
        <span>
          {t('kitchenPlan.queue')} <strong>{n(s.queue)}</strong>
        </span>
        <span className={s.late ? 'k-plan-late-tag' : undefined}>
          {t('kitchenPlan.lateToday')} <strong>{n(s.late)}</strong>
        </span>
        <span>
          {t('kitchenPlan.reach')} <strong>{n(s.figures.reach)}</strong>
        </span>
        <span>
          {t('kitchenPlan.likes')} {n(s.figures.likes)} · {t('kitchenPlan.shares')} {n(s.figures.shares)}
        </span>
      </p>
      <h3>{t('kitchenPlan.stages')}</h3>
      <Stages stages={s.stages} />
      <h3>{t('kitchenPlan.channels')}</h3>
      {s.channels.length ? (
        <table className="k-plan-channels">
          <thead>
            <tr>
              <th scope="col">{t('kitchenPlan.form')}</th>
              <th scope="col">{t('kitchenPlan.today')}</th>
              <th scope="col">{t('kitchenPlan.thisWeek')}</th>
            </tr>
          </thead>
          <tbody>
            {s.channels.map((c) => (
              <tr key={c.form}>
                <th scope="row">{t(`kitchenPlan.forms.${c.form}`)}</th>
                <td>{c.today}</td>
                <td>{c.week}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="hint">{t('kitchenPlan.noneThisWeek')}</p>
      )}
    </>
  );
}

/** All studios side by side (the chief editor); an editor sees their own. */
export function KitchenStudiosPage() {
  const { t } = useTranslation();
  useTitle(t('kitchenPlan.studiosTitle'));
  return <RequireRole roles={EDITORS}>{() => <StudiosSideBySide />}</RequireRole>;
}

function StudiosSideBySide() {
  const { t } = useTranslation();
  const studios = useKitchenStudios();
  return (
    <section aria-labelledby="k-studios-h">
      <KitchenNav />
      <h1 id="k-studios-h">{t('kitchenPlan.studiosTitle')}</h1>
      {studios.isPending ? <Loading /> : null}
      {studios.isError ? <ErrorState error={studios.error} onRetry={() => void studios.refetch()} /> : null}
      {studios.data?.length === 0 ? <p>{t('kitchenPlan.noStudios')}</p> : null}
      <div className="k-plan-studios">
        {studios.data?.map((s) => (
          <section key={s.id} className="k-plan-studio panel" aria-labelledby={`studio-${s.id}`}>
            <h2 id={`studio-${s.id}`}>
              <Link to="/kitchen/studios/$id" params={{ id: s.id }}>
                {s.name}
              </Link>
            </h2>
            <StudioFigures s={s} />
          </section>
        ))}
      </div>
    </section>
  );
}

/** One studio's page: its figures, today's ideas, stories by stage, review queue and desk queue. */
export function KitchenStudioPage() {
  const { id } = getRouteApi('/kitchen/studios/$id').useParams();
  return <RequireRole roles={EDITORS}>{() => <OneStudio id={id} />}</RequireRole>;
}

function OneStudio({ id }: { id: string }) {
  const { t } = useTranslation();
  const studio = useKitchenStudio(id);
  useTitle(studio.data?.name ?? t('kitchenPlan.studiosTitle'));
  const [dialog, setDialog] = useState<Idea | null | undefined>(undefined);
  if (studio.isPending) return <Loading />;
  if (studio.isError) return <ErrorState error={studio.error} onRetry={() => void studio.refetch()} />;
  const s = studio.data;
  const today = todayInBeijing();
  return (
    <section aria-labelledby="k-studio-h">
      <KitchenNav />
      <div className="page-head">
        <h1 id="k-studio-h">{s.name}</h1>
        <a href={`/dashboards/studios/${s.id}`}>{t('kitchenPlan.dashboard')}</a>
      </div>
      <div className="k-plan-studio-grid">
        <section className="panel" aria-labelledby="k-studio-fig">
          <h2 id="k-studio-fig">{t('kitchenPlan.figures')}</h2>
          <StudioFigures s={s} />
        </section>
        <section className="panel" aria-labelledby="k-studio-ideas">
          <div className="page-head">
            <h2 id="k-studio-ideas">{t('kitchenPlan.ideasToday')}</h2>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setDialog(null)}>
              {t('kitchenPlan.newIdea')}
            </button>
          </div>
          {s.ideas.length ? (
            s.ideas.map((i) => <IdeaCard key={i.id} idea={i} day={today} onEdit={setDialog} />)
          ) : (
            <p className="hint">{t('kitchenPlan.noIdeas')}</p>
          )}
        </section>
        <section className="panel" aria-labelledby="k-studio-review">
          <h2 id="k-studio-review">{t('kitchenPlan.reviewQueue')}</h2>
          {s.reviewQueue.length ? (
            <ul>
              {s.reviewQueue.map((r) => (
                <li key={`${r.storyId}:${r.form}`}>
                  <a href={storyHref(r.storyId)}>{r.headline}</a> · {t(`kitchenPlan.forms.${r.form}`)}
                </li>
              ))}
            </ul>
          ) : (
            <p className="hint">{t('kitchenPlan.nothingInReview')}</p>
          )}
        </section>
        <section className="panel" aria-labelledby="k-studio-queue">
          <h2 id="k-studio-queue">{t('kitchenPlan.deskQueue', { count: s.queue })}</h2>
          {s.queueItems.length ? (
            <ul>
              {s.queueItems.map((q) => (
                <li key={q.submissionId}>
                  <a href={`/desk/review/${q.submissionId}`}>{q.title}</a>
                </li>
              ))}
            </ul>
          ) : (
            <p className="hint">{t('kitchenPlan.queueEmpty')}</p>
          )}
        </section>
      </div>
      <section className="panel" aria-labelledby="k-studio-stories">
        <h2 id="k-studio-stories">{t('kitchenPlan.storiesByStage')}</h2>
        {PLAN_STATUSES.map((st) => {
          const list = s.stories.filter((x) => x.forms.some((f) => f.status === st));
          if (!list.length) return null;
          return (
            <div key={st}>
              <h3>
                {t(`kitchenPlan.formStatus.${st}`)} ({list.length})
              </h3>
              <ul className="k-plan-storylist">
                {list.map((x) => (
                  <li key={x.id}>
                    <a href={storyHref(x.id)}>{x.headline}</a>{' '}
                    <span className="hint">
                      {x.forms
                        .filter((f) => f.status === st)
                        .map((f) => t(`kitchenPlan.formsShort.${f.form}`))
                        .join('、')}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
        {s.stories.length === 0 ? <p className="hint">{t('kitchenPlan.noStories')}</p> : null}
      </section>
      {dialog !== undefined ? <IdeaDialog day={today} idea={dialog ?? undefined} defaultStudioId={s.id} onClose={() => setDialog(undefined)} /> : null}
    </section>
  );
}
