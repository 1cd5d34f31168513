import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { getRouteApi, Link, useBlocker, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useStudios } from '../api/desk.js';
import { api, errorMessage } from '../api/client.js';
import {
  createStory,
  deleteImage,
  IMAGE_MAX_BYTES,
  IMAGE_TYPES,
  saveStory,
  setVideos,
  staleVersionOf,
  storyKeys,
  updateImage,
  uploadImage,
  useAdoptedVideos,
  useStory,
  type StaleVersion,
  type Story,
  type StoryImage,
  type StoryInput,
  type StoryVideo,
} from '../api/kitchenStories.js';
import { EDITORS } from '../features/desk/deskUi.js';
import { KitchenNav } from '../features/kitchen/KitchenNav.js';
import { RichTextEditor, type RichTextHandle } from '../features/kitchen/stories/RichTextEditor.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';
import { FormBadges } from './kitchen.js';

const storyRoute = getRouteApi('/kitchen/stories/$id');

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const toTags = (s: string) => [
  ...new Set(
    s
      .split(/[,，、]/)
      .map((x) => x.trim())
      .filter(Boolean),
  ),
];
const blank: StoryInput = { headline: '', standfirst: '', bodyHtml: '', tags: [], byline: '', studioId: null };
const inputOf = (s: Story): StoryInput => ({
  headline: s.headline,
  standfirst: s.standfirst,
  bodyHtml: s.bodyHtml,
  tags: s.tags,
  byline: s.byline,
  studioId: s.studio?.id ?? null,
});

/** Leaving with unsaved changes asks first: in-app navigation and closing the tab alike. */
function useUnsavedGuard(dirty: boolean) {
  const { t } = useTranslation();
  useBlocker({ shouldBlockFn: () => dirty && !window.confirm(t('kitchenStories.editor.leave')), enableBeforeUnload: () => dirty });
}

function StoryFields(props: { value: StoryInput; onChange: (v: StoryInput) => void; resetKey: string | number; editor?: (h: RichTextHandle) => void }) {
  const { t } = useTranslation();
  const { value, onChange } = props;
  const studios = useStudios();
  const [tags, setTags] = useState(value.tags.join('，'));
  useEffect(() => setTags(value.tags.join('，')), [props.resetKey]);
  const latest = useRef(value);
  latest.current = value;
  const onBody = useCallback((bodyHtml: string) => onChange({ ...latest.current, bodyHtml }), [onChange]);
  return (
    <div className="k-stories-fields">
      <label>
        {t('kitchenStories.editor.headline')}
        <input
          className="k-stories-headline"
          value={value.headline}
          maxLength={200}
          required
          onChange={(e) => onChange({ ...value, headline: e.target.value })}
        />
      </label>
      <label>
        {t('kitchenStories.editor.standfirst')}
        <textarea rows={3} value={value.standfirst} maxLength={1000} onChange={(e) => onChange({ ...value, standfirst: e.target.value })} />
      </label>
      <div className="k-stories-field">
        <span id="k-stories-body-label">{t('kitchenStories.editor.body')}</span>
        <RichTextEditor
          label={t('kitchenStories.editor.body')}
          initialHtml={value.bodyHtml}
          resetKey={props.resetKey}
          onChange={onBody}
          handle={props.editor}
        />
      </div>
      <div className="k-stories-row">
        <label>
          {t('kitchenStories.editor.tags')}
          <input
            value={tags}
            onChange={(e) => {
              setTags(e.target.value);
              onChange({ ...value, tags: toTags(e.target.value) });
            }}
          />
        </label>
        <label>
          {t('kitchenStories.editor.byline')}
          <input value={value.byline} maxLength={200} onChange={(e) => onChange({ ...value, byline: e.target.value })} />
        </label>
        <label>
          {t('kitchenStories.editor.studio')}
          <select value={value.studioId ?? ''} onChange={(e) => onChange({ ...value, studioId: e.target.value || null })}>
            <option value="">{t('kitchenStories.editor.noStudio')}</option>
            {(studios.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
    </div>
  );
}

export function NewStoryPage() {
  const { t } = useTranslation();
  useTitle(t('kitchenStories.editor.newTitle'));
  const navigate = useNavigate();
  const [value, setValue] = useState<StoryInput>(blank);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = value.headline !== '' || value.bodyHtml !== '' || value.standfirst !== '';
  const [created, setCreated] = useState(false);
  useUnsavedGuard(dirty && !created);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const story = await createStory(value);
      setCreated(true);
      await navigate({ to: '/kitchen/stories/$id', params: { id: story.id }, ignoreBlocker: true });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <RequireRole roles={EDITORS}>
      {() => (
        <form className="staff k-stories k-stories-page" onSubmit={(e) => void submit(e)}>
          <KitchenNav />
          <h1>{t('kitchenStories.editor.newTitle')}</h1>
          <StoryFields value={value} onChange={setValue} resetKey="new" />
          {error ? (
            <p role="alert" className="error">
              {error}
            </p>
          ) : null}
          <p className="muted">{t('kitchenStories.editor.saveFirst')}</p>
          <button type="submit" className="btn" disabled={busy || !value.headline.trim()}>
            {busy ? t('kitchenStories.editor.saving') : t('kitchenStories.editor.create')}
          </button>
        </form>
      )}
    </RequireRole>
  );
}

function ImagesPanel({ story, insert, onChanged }: { story: Story; insert: (html: string) => void; onChanged: () => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [caption, setCaption] = useState('');
  const [credit, setCredit] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    if (file.size > IMAGE_MAX_BYTES) return setError(t('kitchenStories.images.tooLarge'));
    if (!IMAGE_TYPES.includes(file.type)) return setError(t('kitchenStories.images.wrongType'));
    setError(null);
    setProgress(0);
    try {
      await uploadImage(story.id, file, { caption, credit }, setProgress);
      setFile(null);
      setCaption('');
      setCredit('');
      if (fileRef.current) fileRef.current.value = '';
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setProgress(null);
    }
  };
  const run = async (p: Promise<unknown>) => {
    setError(null);
    try {
      await p;
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const figure = (img: StoryImage) => {
    const cap = [img.caption, img.credit].filter(Boolean).join(' — ');
    return `<figure><img src="${img.urls.web}" alt="${escapeHtml(img.caption)}" />${cap ? `<figcaption>${escapeHtml(cap)}</figcaption>` : ''}</figure><p></p>`;
  };
  return (
    <section className="k-stories-panel" aria-labelledby="k-stories-images">
      <h2 id="k-stories-images">{t('kitchenStories.images.title')}</h2>
      <form onSubmit={(e) => void upload(e)} className="k-stories-upload">
        <label>
          {t('kitchenStories.images.file')}
          <input ref={fileRef} type="file" accept={IMAGE_TYPES.join(',')} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <label>
          {t('kitchenStories.images.caption')}
          <input value={caption} maxLength={500} onChange={(e) => setCaption(e.target.value)} />
        </label>
        <label>
          {t('kitchenStories.images.credit')}
          <input value={credit} maxLength={200} onChange={(e) => setCredit(e.target.value)} />
        </label>
        <button type="submit" className="btn" disabled={!file || progress !== null}>
          {t('kitchenStories.images.upload')}
        </button>
        {progress !== null ? (
          <progress max={1} value={progress} aria-label={t('kitchenStories.images.uploading', { percent: Math.round(progress * 100) })}>
            {Math.round(progress * 100)}%
          </progress>
        ) : null}
      </form>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {story.images.length === 0 ? <p className="muted">{t('kitchenStories.images.none')}</p> : null}
      <ol className="k-stories-images">
        {story.images.map((img, i) => (
          <ImageRow
            key={img.id}
            img={img}
            first={i === 0}
            last={i === story.images.length - 1}
            onInsert={() => insert(figure(img))}
            onSave={(b) => void run(updateImage(story.id, img.id, b))}
            onRemove={() => window.confirm(t('kitchenStories.images.removeConfirm')) && void run(deleteImage(story.id, img.id))}
          />
        ))}
      </ol>
    </section>
  );
}

function ImageRow(props: {
  img: StoryImage;
  first: boolean;
  last: boolean;
  onInsert: () => void;
  onSave: (b: { caption?: string; credit?: string; position?: number }) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const { img } = props;
  const [caption, setCaption] = useState(img.caption);
  const [credit, setCredit] = useState(img.credit);
  return (
    <li className="k-stories-image">
      <img src={img.urls.thumb} alt={img.caption} loading="lazy" width={120} />
      <div>
        <span className="muted">{t('kitchenStories.images.size', { width: img.width, height: img.height })}</span>
        <label>
          {t('kitchenStories.images.caption')}
          <input value={caption} maxLength={500} onChange={(e) => setCaption(e.target.value)} />
        </label>
        <label>
          {t('kitchenStories.images.credit')}
          <input value={credit} maxLength={200} onChange={(e) => setCredit(e.target.value)} />
        </label>
        <div className="k-stories-actions">
          <button
            type="button"
            className="btn btn-secondary btn-small"
            disabled={caption === img.caption && credit === img.credit}
            onClick={() => props.onSave({ caption, credit })}
          >
            {t('kitchenStories.images.saveCaption')}
          </button>
          <button type="button" className="btn btn-secondary btn-small" onClick={props.onInsert}>
            {t('kitchenStories.images.insert')}
          </button>
          <button type="button" className="btn btn-secondary btn-small" disabled={props.first} onClick={() => props.onSave({ position: img.position - 1 })}>
            {t('kitchenStories.images.up')}
          </button>
          <button type="button" className="btn btn-secondary btn-small" disabled={props.last} onClick={() => props.onSave({ position: img.position + 1 })}>
            {t('kitchenStories.images.down')}
          </button>
          <button type="button" className="btn btn-danger btn-small" onClick={props.onRemove}>
            {t('kitchenStories.images.remove')}
          </button>
        </div>
      </div>
    </li>
  );
}

function VideosPanel({ story, insert, onChanged }: { story: Story; insert: (html: string) => void; onChanged: () => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const adopted = useAdoptedVideos(search);
  const [error, setError] = useState<string | null>(null);
  const ids = story.videos.map((v) => v.submissionId);
  const apply = async (next: string[]) => {
    setError(null);
    try {
      await setVideos(story.id, next);
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const figure = (v: StoryVideo) =>
    `<figure data-paike-video="${v.submissionId}"><figcaption>${escapeHtml(v.title)} — ${escapeHtml(t('kitchenStories.videos.by', { name: v.contributor.name }))}</figcaption></figure><p></p>`;
  return (
    <section className="k-stories-panel" aria-labelledby="k-stories-videos">
      <h2 id="k-stories-videos">{t('kitchenStories.videos.title')}</h2>
      {story.videos.length === 0 ? <p className="muted">{t('kitchenStories.videos.none')}</p> : null}
      <ul className="k-stories-videos">
        {story.videos.map((v) => (
          <li key={v.submissionId}>
            <strong>{v.title}</strong> <span className="muted">{t('kitchenStories.videos.by', { name: v.contributor.name })}</span>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => insert(figure(v))}>
              {t('kitchenStories.videos.insert')}
            </button>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => void apply(ids.filter((x) => x !== v.submissionId))}>
              {t('kitchenStories.videos.remove')}
            </button>
          </li>
        ))}
      </ul>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
        }}
      >
        <label>
          {t('kitchenStories.videos.search')}
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={100} />
        </label>
      </form>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {adopted.data && adopted.data.length === 0 ? <p className="muted">{t('kitchenStories.videos.noResults')}</p> : null}
      <ul className="k-stories-videos">
        {(adopted.data ?? [])
          .filter((s) => !ids.includes(s.id))
          .map((s) => (
            <li key={s.id}>
              {s.title} {s.contributor ? <span className="muted">{t('kitchenStories.videos.by', { name: s.contributor.name })}</span> : null}
              <button
                type="button"
                className="btn btn-secondary btn-small"
                aria-label={`${t('kitchenStories.videos.add')}: ${s.title}`}
                onClick={() => void apply([...ids, s.id])}
              >
                {t('kitchenStories.videos.add')}
              </button>
            </li>
          ))}
      </ul>
    </section>
  );
}

function Editor({ story }: { story: Story }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [base, setBase] = useState<Story>(story);
  const [value, setValue] = useState<StoryInput>(inputOf(story));
  const [resetKey, setResetKey] = useState(`${story.id}:${story.version}`);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ message: string; stale: StaleVersion; draft: StoryInput } | null>(null);
  const editor = useRef<RichTextHandle | null>(null);
  const setEditor = useCallback((h: RichTextHandle) => (editor.current = h), []);
  const original = useMemo(() => inputOf(base), [base]);
  const changed = (Object.keys(value) as (keyof StoryInput)[]).filter((k) => JSON.stringify(value[k]) !== JSON.stringify(original[k]));
  const dirty = changed.length > 0;
  useUnsavedGuard(dirty);
  // Images and videos save on their own; the story's text waits for Save.
  const refreshSide = async () => {
    const fresh = await qc.fetchQuery({
      queryKey: storyKeys.one(story.id),
      queryFn: async () => (await api<{ story: Story }>(`/api/kitchen/stories/${story.id}`)).story,
      staleTime: 0,
    });
    setBase((b) => ({ ...b, images: fresh.images, videos: fresh.videos, forms: fresh.forms }));
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const patch = Object.fromEntries(changed.map((k) => [k, value[k]])) as Partial<StoryInput>;
      const saved = await saveStory(story.id, base.version, patch);
      setBase(saved);
      setValue(inputOf(saved));
      // The server's sanitiser may have changed the body: show what was kept.
      if (saved.bodyHtml !== value.bodyHtml) setResetKey(`${saved.id}:${saved.version}`);
      setNotice(t('kitchenStories.editor.saved', { version: saved.version }));
      void qc.invalidateQueries({ queryKey: ['kitchen', 'stories'] });
    } catch (err) {
      const stale = staleVersionOf(err);
      if (stale) setConflict({ message: errorMessage(err), stale, draft: value });
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const openNewer = async () => {
    const fresh = await qc.fetchQuery({
      queryKey: storyKeys.one(story.id),
      queryFn: async () => (await api<{ story: Story }>(`/api/kitchen/stories/${story.id}`)).story,
      staleTime: 0,
    });
    setBase(fresh);
    setValue(inputOf(fresh));
    setResetKey(`${fresh.id}:${fresh.version}:${Date.now()}`);
    setConflict(null);
    setNotice(null);
  };
  const insert = (html: string) => editor.current?.insertHtml(html);
  return (
    <div className="staff k-stories k-stories-page">
      <KitchenNav />
      <div className="k-stories-head">
        <h1>{t('kitchenStories.editor.editTitle')}</h1>
        <nav className="k-stories-links">
          <Link to="/kitchen/stories/$id/revisions" params={{ id: story.id }} search={{}}>
            {t('kitchenStories.editor.revisions')}
          </Link>
          {/* Owned by the forms part; a plain link until its route is merged. */}
          <a href={`/kitchen/stories/${story.id}/forms`}>{t('kitchenStories.editor.forms')}</a>
        </nav>
      </div>
      <p className="muted">
        {t('kitchenStories.editor.version', { version: base.version, name: base.updatedBy.name, at: formatDateTime(base.updatedAt, i18n.language) })}
      </p>
      <FormBadges forms={base.forms} />
      {conflict ? (
        <div role="alert" className="k-stories-conflict">
          <h2>{t('kitchenStories.editor.conflictTitle')}</h2>
          <p>{conflict.message}</p>
          <button type="button" className="btn" onClick={() => void openNewer()}>
            {t('kitchenStories.editor.openNewer')}
          </button>
          <details>
            <summary>{t('kitchenStories.editor.conflictKeep')}</summary>
            <textarea readOnly rows={8} value={[conflict.draft.headline, conflict.draft.standfirst, conflict.draft.bodyHtml].join('\n\n')} />
          </details>
        </div>
      ) : null}
      <div className="k-stories-layout">
        <form onSubmit={(e) => void save(e)} className="k-stories-main">
          <StoryFields value={value} onChange={setValue} resetKey={resetKey} editor={setEditor} />
          {error ? (
            <p role="alert" className="error">
              {error}
            </p>
          ) : null}
          {notice ? (
            <p role="status" className="k-stories-saved">
              {notice}
            </p>
          ) : null}
          <div className="k-stories-savebar">
            <button type="submit" className="btn" disabled={busy || !dirty || !value.headline.trim()}>
              {busy ? t('kitchenStories.editor.saving') : t('kitchenStories.editor.save')}
            </button>
            {dirty ? <span className="badge badge-draft">{t('kitchenStories.editor.unsaved')}</span> : null}
          </div>
        </form>
        <aside className="k-stories-side">
          <ImagesPanel story={base} insert={insert} onChanged={() => void refreshSide()} />
          <VideosPanel story={base} insert={insert} onChanged={() => void refreshSide()} />
        </aside>
      </div>
    </div>
  );
}

export function StoryPage() {
  const { t } = useTranslation();
  useTitle(t('kitchenStories.editor.editTitle'));
  const { id } = storyRoute.useParams();
  const story = useStory(id);
  return (
    <RequireRole roles={EDITORS}>
      {() =>
        story.isPending ? (
          <Loading />
        ) : story.isError ? (
          <ErrorState error={story.error} onRetry={() => void story.refetch()} />
        ) : (
          <Editor key={story.data.id} story={story.data} />
        )
      }
    </RequireRole>
  );
}
