import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../contracts/accounts.js';
import { errorMessage } from '../api/client.js';
import { kitchenPrintKeys, PAGE_SIZE_OPTIONS, saveNewspaper, useNewspapers, type Newspaper, type NewspaperUpdate } from '../api/kitchenPrint.js';
import { KitchenNav } from '../features/kitchen/KitchenNav.js';
import { CHIEFS, EDITORS, hasRole } from '../features/desk/deskUi.js';
import { Alert, Field } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';

type NumKey = Exclude<keyof NewspaperUpdate, 'name' | 'pageSize'>;
/** Each number, its unit and its range (the server checks the same: contracts/kitchen.ts NEWSPAPER_LIMITS). */
const NUMBERS: { key: NumKey; min: number; max: number; step: number; unit: 'mm' | 'pt' | '' }[] = [
  { key: 'columns', min: 1, max: 12, step: 1, unit: '' },
  { key: 'gutterMm', min: 0, max: 20, step: 0.5, unit: 'mm' },
  { key: 'marginMm', min: 0, max: 50, step: 0.5, unit: 'mm' },
  { key: 'bleedMm', min: 0, max: 10, step: 0.5, unit: 'mm' },
  { key: 'headlinePt', min: 8, max: 144, step: 0.5, unit: 'pt' },
  { key: 'standfirstPt', min: 6, max: 48, step: 0.5, unit: 'pt' },
  { key: 'bodyPt', min: 6, max: 24, step: 0.5, unit: 'pt' },
  { key: 'captionPt', min: 5, max: 18, step: 0.5, unit: 'pt' },
];

/** The editable fields of a newspaper (what PUT takes). */
function pick(p: Newspaper): NewspaperUpdate {
  return {
    name: p.name,
    pageSize: p.pageSize,
    columns: p.columns,
    gutterMm: p.gutterMm,
    marginMm: p.marginMm,
    bleedMm: p.bleedMm,
    headlinePt: p.headlinePt,
    standfirstPt: p.standfirstPt,
    bodyPt: p.bodyPt,
    captionPt: p.captionPt,
  };
}

function NewspaperForm({ paper, canEdit }: { paper: Newspaper; canEdit: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<NewspaperUpdate>(() => pick(paper));
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    setMessage(null);
    try {
      const saved = await saveNewspaper(paper.id, draft);
      setDraft({ ...draft, ...pick(saved) });
      await qc.invalidateQueries({ queryKey: kitchenPrintKeys.newspapers });
      setMessage({ tone: 'success', text: t('kitchenPrint.newspapers.saved') });
    } catch (err) {
      setMessage({ tone: 'error', text: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  }
  return (
    <form className="k-print-paper" onSubmit={(e) => void submit(e)} aria-label={paper.name}>
      <fieldset disabled={!canEdit || saving}>
        <legend>{paper.name}</legend>
        <div className="k-print-paper-grid">
          <Field
            label={t('kitchenPrint.newspapers.name')}
            value={draft.name}
            maxLength={80}
            required
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
          <div className="field">
            <label htmlFor={`ps-${paper.id}`}>{t('kitchenPrint.newspapers.pageSize')}</label>
            <select
              id={`ps-${paper.id}`}
              value={draft.pageSize}
              onChange={(e) => setDraft({ ...draft, pageSize: e.target.value as NewspaperUpdate['pageSize'] })}
            >
              {PAGE_SIZE_OPTIONS.map((s) => (
                <option key={s} value={s}>
                  {t(`kitchenPrint.newspapers.size.${s}`)}
                </option>
              ))}
            </select>
          </div>
          {NUMBERS.map((n) => (
            <Field
              key={n.key}
              type="number"
              inputMode="decimal"
              label={`${t(`kitchenPrint.newspapers.${n.key}`)}${n.unit ? ` (${n.unit})` : ''}`}
              hint={t('kitchenPrint.newspapers.range', { min: n.min, max: n.max })}
              min={n.min}
              max={n.max}
              step={n.step}
              required
              value={Number.isFinite(draft[n.key]) ? draft[n.key] : ''}
              onChange={(e) => setDraft({ ...draft, [n.key]: e.target.valueAsNumber })}
            />
          ))}
        </div>
        {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
        {canEdit ? (
          <button type="submit" className="btn btn-primary">
            {saving ? t('kitchenPrint.newspapers.saving') : t('kitchenPrint.newspapers.save')}
          </button>
        ) : null}
      </fieldset>
    </form>
  );
}

function Newspapers({ me }: { me: Me }) {
  const { t } = useTranslation();
  const q = useNewspapers();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const canEdit = hasRole(me, CHIEFS);
  return (
    <>
      {!canEdit ? <Alert tone="info">{t('kitchenPrint.newspapers.readOnly')}</Alert> : null}
      {q.data.map((p) => (
        <NewspaperForm key={p.id} paper={p} canEdit={canEdit} />
      ))}
    </>
  );
}

export function NewspapersPage() {
  const { t } = useTranslation();
  useTitle(t('kitchenPrint.newspapers.title'));
  return (
    <RequireRole roles={EDITORS}>
      {(me) => (
        <div className="staff k-print-page">
          <KitchenNav me={me} />
          <h1>{t('kitchenPrint.newspapers.title')}</h1>
          <p className="muted">{t('kitchenPrint.newspapers.intro')}</p>
          <Newspapers me={me} />
        </div>
      )}
    </RequireRole>
  );
}
