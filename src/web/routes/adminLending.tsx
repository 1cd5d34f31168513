import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { AdminTitle, LendingKind } from '../../contracts/lending.js';
import { api, ApiError, errorMessage, uploadWithProgress } from '../api/client.js';
import { Alert } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { formatDateTime } from '../ui/format.js';
import { AdminNav } from './adminCampaigns.js';

/**
 * `/admin/lending` (docs/lending.md): the librarian's page. Upload an EPUB or a PDF with its
 * licence (with progress; what the check neutralised is said), see every title's copies, loans
 * and queue, change a licence, withdraw a title.
 */
type Withdrawn = 'exclude' | 'include' | 'only';
const titlesKey = (withdrawn: Withdrawn) => ['lending', 'admin', 'titles', withdrawn] as const;

export function AdminLendingPage() {
  const { t } = useTranslation();
  useTitle(t('lendingAdmin.title'));
  return (
    <RequireRole roles={['chief_editor', 'admin']}>
      {() => (
        <div className="staff">
          <AdminNav />
          <h1>{t('lendingAdmin.title')}</h1>
          <Upload />
          <Titles />
        </div>
      )}
    </RequireRole>
  );
}

/** The file's type from its name too: many systems give an .epub no MIME type at all. */
function contentTypeOf(file: File): string | null {
  const name = file.name.toLowerCase();
  if (file.type === 'application/epub+zip' || name.endsWith('.epub')) return 'application/epub+zip';
  if (file.type === 'application/pdf' || name.endsWith('.pdf')) return 'application/pdf';
  return null;
}

/** The file goes up with a progress bar (XMLHttpRequest: fetch cannot report upload progress). */
function Upload() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [kind, setKind] = useState<LendingKind>('book');
  const [title, setTitle] = useState('');
  const [author, setAuthor] = useState('');
  const [description, setDescription] = useState('');
  const [licence, setLicence] = useState<LicenceDraft>({ copies: '1', loanDays: '14', maxLoans: '', expires: '' });
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setDone(null);
    if (!file) return setError(t('lendingAdmin.pickFile'));
    const type = contentTypeOf(file);
    if (!type) return setError(t('lendingAdmin.wrongType'));
    if (type === 'application/pdf' && !title.trim()) return setError(t('lendingAdmin.titleForPdf'));
    const terms = licenceTerms(licence);
    if (!terms) return setError(t('lendingAdmin.wholeNumbers'));
    setError(null);
    const params = new URLSearchParams({ kind, copies: String(terms.copies), loanDays: String(terms.loanDays) });
    if (title.trim()) params.set('title', title.trim());
    if (author.trim()) params.set('author', author.trim());
    if (description.trim()) params.set('description', description.trim());
    if (terms.maxLoans !== null) params.set('maxLoans', String(terms.maxLoans));
    if (terms.expiresAt) params.set('expiresAt', terms.expiresAt);
    const form = e.currentTarget;
    setProgress(0);
    uploadWithProgress<AdminTitle>(`/api/admin/lending/titles?${params.toString()}`, file, type, setProgress)
      .then((added) => {
        const n = added.neutralised;
        const cleaned = n.scripts + n.eventHandlers + n.javascriptUrls + n.remoteReferences;
        setDone(cleaned > 0 ? t('lendingAdmin.addedCleaned', { title: added.title, n: cleaned }) : t('lendingAdmin.added', { title: added.title }));
        setFile(null);
        setTitle('');
        setAuthor('');
        setDescription('');
        form.reset();
        void qc.invalidateQueries({ queryKey: ['lending', 'admin'] });
      })
      .catch((err: unknown) => setError(err instanceof ApiError && err.status === 413 ? t('lendingAdmin.tooLarge') : errorMessage(err)))
      .finally(() => setProgress(null));
  };

  return (
    <form onSubmit={submit} noValidate className="panel" aria-labelledby="lend-up-h">
      <h2 id="lend-up-h">{t('lendingAdmin.upload')}</h2>
      <p className="muted">{t('lendingAdmin.uploadHint')}</p>
      {error ? <Alert>{error}</Alert> : null}
      {done ? <p role="status">{done}</p> : null}
      <div className="grid-2">
        <div className="field">
          <label htmlFor="ln-file">{t('lendingAdmin.file')}</label>
          <input id="ln-file" type="file" accept=".epub,.pdf,application/epub+zip,application/pdf" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <div className="field">
          <label htmlFor="ln-kind">{t('lendingAdmin.kind')}</label>
          <select id="ln-kind" value={kind} onChange={(e) => setKind(e.target.value as LendingKind)}>
            <option value="book">{t('lendingAdmin.kinds.book')}</option>
            <option value="periodical">{t('lendingAdmin.kinds.periodical')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="ln-title">{t('lendingAdmin.titleField')}</label>
          <input id="ln-title" value={title} maxLength={500} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ln-author">{t('lendingAdmin.author')}</label>
          <input id="ln-author" value={author} maxLength={500} onChange={(e) => setAuthor(e.target.value)} />
        </div>
        <LicenceFields idPrefix="ln" value={licence} onChange={setLicence} />
      </div>
      <div className="field">
        <label htmlFor="ln-desc">{t('lendingAdmin.description')}</label>
        <textarea id="ln-desc" rows={2} maxLength={4000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      {progress !== null ? <progress max={1} value={progress} aria-label={t('lendingAdmin.uploading')} /> : null}
      <button type="submit" className="btn btn-primary" disabled={progress !== null}>
        {t('lendingAdmin.uploadButton')}
      </button>
    </form>
  );
}

function Titles() {
  const { t, i18n } = useTranslation();
  const [withdrawn, setWithdrawn] = useState<Withdrawn>('exclude');
  const [editing, setEditing] = useState<string | null>(null);
  const q = useQuery({
    queryKey: titlesKey(withdrawn),
    queryFn: () => api<{ titles: AdminTitle[] }>(`/api/admin/lending/titles?withdrawn=${withdrawn}`),
  });
  const editingTitle = q.data?.titles.find((x) => x.id === editing);
  return (
    <section aria-labelledby="lend-list-h">
      <h2 id="lend-list-h">{t('lendingAdmin.titles')}</h2>
      <div className="field filter-field">
        <label htmlFor="ln-show">{t('lendingAdmin.show')}</label>
        <select id="ln-show" value={withdrawn} onChange={(e) => setWithdrawn(e.target.value as Withdrawn)}>
          <option value="exclude">{t('lendingAdmin.shows.exclude')}</option>
          <option value="include">{t('lendingAdmin.shows.include')}</option>
          <option value="only">{t('lendingAdmin.shows.only')}</option>
        </select>
      </div>
      {q.isPending ? <Loading /> : null}
      {q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data?.titles.length === 0 ? <p className="muted">{t('lendingAdmin.none')}</p> : null}
      {q.data?.titles.length ? (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="sr-only">{t('lendingAdmin.titles')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('lendingAdmin.titleField')}</th>
                <th scope="col">{t('lendingAdmin.kind')}</th>
                <th scope="col">{t('lendingAdmin.circulation')}</th>
                <th scope="col">{t('lendingAdmin.licence')}</th>
                <th scope="col">{t('lendingAdmin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {q.data.titles.map((title) => (
                <tr key={title.id} data-testid="lending-title">
                  <th scope="row">
                    <div className="lending-admin-title">
                      {title.coverUrl ? <img src={title.coverUrl} alt="" width={40} height={56} loading="lazy" /> : null}
                      <span>
                        {title.title}
                        {title.author ? <span className="muted"> · {title.author}</span> : null}
                        {title.withdrawnAt ? (
                          <span className="badge">{t('lendingAdmin.withdrawnOn', { date: formatDateTime(title.withdrawnAt, i18n.language) })}</span>
                        ) : null}
                      </span>
                    </div>
                  </th>
                  <td>
                    {t(`lendingAdmin.kinds.${title.kind}`)} · {title.format.toUpperCase()} · {Math.max(1, Math.round(title.bytes / 1024))} KiB
                  </td>
                  <td data-testid="lending-circulation">
                    {t('lendingAdmin.circulationLine', { out: title.activeLoans, copies: title.licence.copies, holds: title.availability.holds })}
                  </td>
                  <td>
                    {t('lendingAdmin.licenceLine', { days: title.licence.loanDays })}
                    {title.licence.maxLoans !== null ? ` · ${t('lendingAdmin.loansUsed', { used: title.licence.loansUsed, max: title.licence.maxLoans })}` : ''}
                    {title.licence.expiresAt ? ` · ${t('lendingAdmin.until', { date: formatDateTime(title.licence.expiresAt, i18n.language) })}` : ''}
                    {title.availability.state === 'ended' ? ` · ${t('lendingAdmin.ended')}` : ''}
                  </td>
                  <td>
                    {title.withdrawnAt ? null : (
                      <button type="button" className="btn btn-secondary btn-sm" onClick={() => setEditing(editing === title.id ? null : title.id)}>
                        {t('lendingAdmin.edit')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editingTitle ? <LicenceEditor key={editingTitle.id} title={editingTitle} onClose={() => setEditing(null)} /> : null}
    </section>
  );
}

function LicenceEditor({ title, onClose }: { title: AdminTitle; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [licence, setLicence] = useState<LicenceDraft>(() => ({
    copies: String(title.licence.copies),
    loanDays: String(title.licence.loanDays),
    maxLoans: title.licence.maxLoans === null ? '' : String(title.licence.maxLoans),
    expires: title.licence.expiresAt ? new Intl.DateTimeFormat('en-CA', { timeZone: BEIJING }).format(new Date(title.licence.expiresAt)) : '',
  }));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: ['lending', 'admin'] });
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    const terms = licenceTerms(licence);
    if (!terms) return setError(t('lendingAdmin.wholeNumbers'));
    void run(() => api(`/api/admin/lending/titles/${title.id}/licence`, { method: 'PATCH', body: terms }));
  };
  const withdraw = () => {
    if (!window.confirm(t('lendingAdmin.withdrawConfirm', { title: title.title, loans: title.activeLoans, holds: title.availability.holds }))) return;
    void run(() => api(`/api/admin/lending/titles/${title.id}`, { method: 'DELETE' }));
  };
  return (
    <form className="panel" onSubmit={save} noValidate aria-label={t('lendingAdmin.editing', { title: title.title })}>
      <h3>{t('lendingAdmin.editing', { title: title.title })}</h3>
      <p className="muted">{t('lendingAdmin.editHint')}</p>
      {error ? <Alert>{error}</Alert> : null}
      <div className="grid-2">
        <LicenceFields idPrefix="le" value={licence} onChange={setLicence} />
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('lendingAdmin.save')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
          {t('lendingAdmin.cancel')}
        </button>
        <button type="button" className="btn btn-danger" onClick={withdraw} disabled={busy}>
          {t('lendingAdmin.withdraw')}
        </button>
      </div>
    </form>
  );
}

/** A licence as typed: whole numbers in text, the end as a date (yyyy-mm-dd) or empty. */
interface LicenceDraft {
  copies: string;
  loanDays: string;
  maxLoans: string;
  expires: string;
}
const BEIJING = 'Asia/Shanghai';

/** The terms to send, or null when a number is not a whole number of at least 1. */
function licenceTerms(d: LicenceDraft): { copies: number; loanDays: number; maxLoans: number | null; expiresAt: string | null } | null {
  const whole = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 ? Number(s) : null);
  const copies = whole(d.copies);
  const loanDays = whole(d.loanDays);
  const maxLoans = d.maxLoans.trim() ? whole(d.maxLoans) : null;
  if (copies === null || loanDays === null || (d.maxLoans.trim() && maxLoans === null)) return null;
  // The licence ends at the end of that day in Beijing, where the newsroom counts its days.
  return { copies, loanDays, maxLoans, expiresAt: d.expires ? `${d.expires}T23:59:59+08:00` : null };
}

function LicenceFields({ idPrefix, value, onChange }: { idPrefix: string; value: LicenceDraft; onChange: (d: LicenceDraft) => void }) {
  const { t } = useTranslation();
  const field = (key: keyof LicenceDraft, label: string, props: { type: 'number' | 'date'; max?: number }) => (
    <div className="field">
      <label htmlFor={`${idPrefix}-${key}`}>{label}</label>
      <input
        id={`${idPrefix}-${key}`}
        type={props.type}
        inputMode={props.type === 'number' ? 'numeric' : undefined}
        min={props.type === 'number' ? 1 : undefined}
        max={props.max}
        value={value[key]}
        onChange={(e) => onChange({ ...value, [key]: e.target.value })}
      />
    </div>
  );
  return (
    <>
      {field('copies', t('lendingAdmin.copies'), { type: 'number', max: 100_000 })}
      {field('loanDays', t('lendingAdmin.loanDays'), { type: 'number', max: 365 })}
      {field('maxLoans', t('lendingAdmin.maxLoans'), { type: 'number' })}
      {field('expires', t('lendingAdmin.expires'), { type: 'date' })}
    </>
  );
}
