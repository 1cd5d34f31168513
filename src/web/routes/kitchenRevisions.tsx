import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useDiff, useRevisions, useStory, type DiffPart } from '../api/kitchenStories.js';
import { EDITORS } from '../features/desk/deskUi.js';
import { KitchenNav } from '../features/kitchen/KitchenNav.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';

const route = getRouteApi('/kitchen/stories/$id/revisions');

/** Inline diff: inserted text underlined (green), deleted struck through (red); screen readers hear which is which. */
function Parts({ parts }: { parts: DiffPart[] }) {
  const { t } = useTranslation();
  return (
    <>
      {parts.map((p, i) =>
        p.added ? (
          <ins key={i} className="k-stories-ins" title={t('kitchenStories.revisions.added')}>
            {p.value}
          </ins>
        ) : p.removed ? (
          <del key={i} className="k-stories-del" title={t('kitchenStories.revisions.removed')}>
            {p.value}
          </del>
        ) : (
          <span key={i}>{p.value}</span>
        ),
      )}
    </>
  );
}

export function StoryRevisionsPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('kitchenStories.revisions.title'));
  const { id } = route.useParams();
  const search = route.useSearch();
  const navigate = useNavigate({ from: '/kitchen/stories/$id/revisions' });
  const story = useStory(id);
  const revisions = useRevisions(id);
  const latest = revisions.data?.[0]?.version;
  const version = search.v ?? latest;
  const against = search.against && version && search.against < version ? search.against : undefined;
  const diff = useDiff(id, version, against);
  return (
    <RequireRole roles={EDITORS}>
      {() => (
        <div className="staff k-stories">
          <KitchenNav />
          <div className="k-stories-head">
            <h1>
              {t('kitchenStories.revisions.title')}
              {story.data ? `：${story.data.headline}` : ''}
            </h1>
            <Link to="/kitchen/stories/$id" params={{ id }}>
              {t('kitchenStories.revisions.back')}
            </Link>
          </div>
          {revisions.isPending ? (
            <Loading />
          ) : revisions.isError ? (
            <ErrorState error={revisions.error} onRetry={() => void revisions.refetch()} />
          ) : (
            <div className="k-stories-layout">
              <ol className="k-stories-revisions k-stories-side">
                {revisions.data.map((r) => (
                  <li key={r.version} aria-current={r.version === version ? 'true' : undefined}>
                    <Link to="/kitchen/stories/$id/revisions" params={{ id }} search={{ v: r.version }}>
                      {t('kitchenStories.revisions.version', { version: r.version })}
                    </Link>
                    <div className="muted">{t('kitchenStories.revisions.by', { name: r.editor.name, at: formatDateTime(r.createdAt, i18n.language) })}</div>
                  </li>
                ))}
              </ol>
              <section className="k-stories-main" aria-live="polite">
                {version === 1 ? <p>{t('kitchenStories.revisions.first')}</p> : null}
                {version && version > 1 ? (
                  <label className="k-stories-compare">
                    {t('kitchenStories.revisions.compare')}
                    <select
                      value={against ?? ''}
                      onChange={(e) => void navigate({ search: { v: version, against: e.target.value ? Number(e.target.value) : undefined } })}
                    >
                      <option value="">{t('kitchenStories.revisions.previous')}</option>
                      {revisions.data
                        .filter((r) => r.version < version)
                        .map((r) => (
                          <option key={r.version} value={r.version}>
                            {t('kitchenStories.revisions.version', { version: r.version })}
                          </option>
                        ))}
                    </select>
                  </label>
                ) : null}
                {diff.isError ? <ErrorState error={diff.error} /> : null}
                {diff.data ? (
                  <div className="k-stories-diff">
                    <h2>
                      {t('kitchenStories.revisions.version', { version: diff.data.from.version })} →{' '}
                      {t('kitchenStories.revisions.version', { version: diff.data.to.version })}
                    </h2>
                    <p className="muted">{t('kitchenStories.revisions.legend')}</p>
                    <dl>
                      {(['headline', 'standfirst', 'byline', 'tags'] as const).map((k) => (
                        <div key={k}>
                          <dt>{t(`kitchenStories.revisions.fields.${k}`)}</dt>
                          <dd>
                            {diff.data.fields[k].some((p) => p.added || p.removed) ? (
                              <Parts parts={diff.data.fields[k]} />
                            ) : (
                              <span className="muted">{t('kitchenStories.revisions.unchanged')}</span>
                            )}
                          </dd>
                        </div>
                      ))}
                    </dl>
                    <h3>{t('kitchenStories.revisions.body')}</h3>
                    <div className="k-stories-diff-body">
                      {diff.data.body.map((b, i) => (
                        <p key={i} className={`k-stories-block k-stories-block-${b.kind}`}>
                          {b.kind === 'added' || b.kind === 'removed' ? (
                            <span className="k-stories-block-kind">{t(`kitchenStories.revisions.${b.kind}`)}</span>
                          ) : null}
                          <Parts parts={b.parts} />
                        </p>
                      ))}
                    </div>
                  </div>
                ) : diff.isFetching ? (
                  <Loading />
                ) : null}
              </section>
            </div>
          )}
        </div>
      )}
    </RequireRole>
  );
}
