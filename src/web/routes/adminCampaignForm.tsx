import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Campaign, CreateCampaignInput, PropagationRules } from '../../contracts/campaigns.js';
import { DEFAULT_PROPAGATION } from '../../contracts/propagation.defaults.js';
import { api, ApiError, errorMessage } from '../api/client.js';
import { keys, useAdminCampaigns } from '../api/queries.js';
import { Alert, Field, TextArea } from '../ui/Field.js';
import { ErrorState, Loading, RequireRole, useTitle } from '../ui/common.js';
import { fenToYuan, isoToShanghaiLocal, loc, shanghaiLocalToIso, yuanToFen } from '../ui/format.js';
import { AdminNav } from './adminCampaigns.js';

// Mirrors src/contracts/campaigns.ts; kept as literals so the web bundle does not pull zod in.
const REWARD_MIN_FEN = 100 * 100;
const REWARD_MAX_FEN = 10_000 * 100;
const PRIZE_MAX_FEN = 100_000_000;
const MB = 1024 * 1024;
const UPLOAD_MAX_MB = 16 * 1024;

let rowSeq = 0;
const rid = () => ++rowSeq;

interface ThemeRow {
  rid: number;
  key: string;
  zh: string;
  en: string;
}
interface GradeRow {
  rid: number;
  grade: string;
  yuan: string;
}
interface PrizeRow {
  rid: number;
  rank: string;
  yuan: string;
}
interface BonusRow {
  rid: number;
  count: string;
  yuan: string;
}
interface MultRow {
  rid: number;
  reach: string;
  percent: string;
}
type RowKey = 'themes' | 'grades' | 'prizes' | 'bonus' | 'mults';
interface FormState {
  slug: string;
  titleZh: string;
  titleEn: string;
  descZh: string;
  descEn: string;
  themes: ThemeRow[];
  startsAt: string;
  endsAt: string;
  quota: string;
  published: boolean;
  minDur: string;
  maxDur: string;
  maxUploadMb: string;
  grades: GradeRow[];
  prizes: PrizeRow[];
  bonus: BonusRow[];
  mults: MultRow[];
  threshold: string;
  grandYuan: string;
  holdBackDays: string;
  rankBy: PropagationRules['rankBy'];
  weights: Record<WeightKey, string>;
}
type Errors = Record<string, string>;

/** The propagation index's four figures, in the order the index formula lists them. */
const WEIGHT_KEYS = ['views', 'likes', 'comments', 'shares'] as const;
type WeightKey = (typeof WEIGHT_KEYS)[number];
const WEIGHT_MAX = 10;
const HOLD_BACK_MAX = 90;
const weightStrings = (w: PropagationRules['weights']): Record<WeightKey, string> => ({
  views: String(w.views),
  likes: String(w.likes),
  comments: String(w.comments),
  shares: String(w.shares),
});

function emptyForm(): FormState {
  return {
    slug: '',
    titleZh: '',
    titleEn: '',
    descZh: '',
    descEn: '',
    themes: [{ rid: rid(), key: '', zh: '', en: '' }],
    startsAt: '',
    endsAt: '',
    quota: '1000',
    published: true,
    minDur: '60',
    maxDur: '180',
    maxUploadMb: '2048',
    grades: [{ rid: rid(), grade: '', yuan: '' }],
    prizes: [],
    bonus: [],
    mults: [],
    threshold: '10000000',
    grandYuan: '10000',
    holdBackDays: '7',
    rankBy: DEFAULT_PROPAGATION.rankBy,
    weights: weightStrings(DEFAULT_PROPAGATION.weights),
  };
}

function fromCampaign(c: Campaign): FormState {
  return {
    slug: c.slug,
    titleZh: c.title['zh-CN'],
    titleEn: c.title.en,
    descZh: c.description['zh-CN'],
    descEn: c.description.en,
    themes: c.themes.map((th) => ({ rid: rid(), key: th.key, zh: th.title['zh-CN'], en: th.title.en })),
    startsAt: isoToShanghaiLocal(c.startsAt),
    endsAt: isoToShanghaiLocal(c.endsAt),
    quota: String(c.quota),
    published: c.published,
    minDur: String(c.rules.minDurationSeconds),
    maxDur: String(c.rules.maxDurationSeconds),
    maxUploadMb: String(Math.round(c.rules.maxUploadBytes / MB)),
    grades: c.rules.grades.map((g) => ({ rid: rid(), grade: g.grade, yuan: fenToYuan(g.rewardFen) })),
    prizes: c.rules.weeklyPrizes.map((p) => ({ rid: rid(), rank: String(p.rank), yuan: fenToYuan(p.amountFen) })),
    bonus: (c.rules.bonusTiers ?? []).map((b) => ({ rid: rid(), count: String(b.adoptedCount), yuan: fenToYuan(b.bonusFen) })),
    mults: (c.rules.reachMultipliers ?? []).map((m) => ({ rid: rid(), reach: String(m.reachAtLeast), percent: String(m.multiplierPercent) })),
    threshold: String(c.rules.grandPrize.thresholdReach),
    grandYuan: fenToYuan(c.rules.grandPrize.amountFen),
    holdBackDays: String(c.rules.grandPrize.holdBackDays ?? 7),
    rankBy: c.rules.propagation?.rankBy ?? DEFAULT_PROPAGATION.rankBy,
    weights: weightStrings(c.rules.propagation?.weights ?? DEFAULT_PROPAGATION.weights),
  };
}

type T = (key: string, opts?: Record<string, unknown>) => string;

/** A weight from 0 to 10 with at most three decimals ("0.7", "0.15"); null otherwise. */
function parseWeight(s: string): number | null {
  const v = s.trim();
  if (!/^\d+(\.\d{1,3})?$/.test(v)) return null;
  const n = Number(v);
  return n >= 0 && n <= WEIGHT_MAX ? n : null;
}

function parseIntIn(s: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(s.trim())) return null;
  const n = Number(s.trim());
  return n >= min && n <= max ? n : null;
}

/** Client-side check mirroring createCampaignBody, with messages a person can act on. */
function validate(f: FormState, t: T): { errors: Errors; body?: CreateCampaignInput } {
  const e: Errors = {};
  const req = (k: keyof FormState) => {
    if (!String(f[k]).trim()) e[k] = t('admin.v.required');
  };
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(f.slug.trim())) e.slug = t('admin.v.slug');
  (['titleZh', 'titleEn', 'descZh', 'descEn'] as const).forEach(req);
  if (f.themes.length === 0) e.themes = t('admin.v.themesMin');
  f.themes.forEach((th, i) => {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(th.key.trim())) e[`themes.${i}.key`] = t('admin.v.themeKey');
    if (!th.zh.trim()) e[`themes.${i}.zh`] = t('admin.v.required');
    if (!th.en.trim()) e[`themes.${i}.en`] = t('admin.v.required');
  });
  const starts = shanghaiLocalToIso(f.startsAt);
  const ends = shanghaiLocalToIso(f.endsAt);
  if (!starts) e.startsAt = t('admin.v.date');
  if (!ends) e.endsAt = t('admin.v.date');
  if (starts && ends && Date.parse(starts) >= Date.parse(ends)) e.endsAt = t('admin.v.dateOrder');
  const quota = parseIntIn(f.quota, 1, 10_000_000);
  if (quota === null) e.quota = t('admin.v.intRange', { min: 1, max: '10,000,000' });
  const minDur = parseIntIn(f.minDur, 1, 3600);
  const maxDur = parseIntIn(f.maxDur, 1, 3600);
  if (minDur === null) e.minDur = t('admin.v.intRange', { min: 1, max: 3600 });
  if (maxDur === null) e.maxDur = t('admin.v.intRange', { min: 1, max: 3600 });
  if (minDur !== null && maxDur !== null && minDur >= maxDur) e.minDur = t('admin.v.durationOrder');
  const maxUploadMb = parseIntIn(f.maxUploadMb, 1, UPLOAD_MAX_MB);
  if (maxUploadMb === null) e.maxUploadMb = t('admin.v.intRange', { min: 1, max: '16,384' });
  if (f.grades.length === 0) e.grades = t('admin.v.gradesMin');
  const seenGrades = new Set<string>();
  const grades = f.grades.map((g, i) => {
    const grade = g.grade.trim();
    if (!grade) e[`grades.${i}.grade`] = t('admin.v.required');
    else if (grade.length > 8) e[`grades.${i}.grade`] = t('admin.v.gradeLen');
    else if (seenGrades.has(grade)) e[`grades.${i}.grade`] = t('admin.v.gradeDup');
    seenGrades.add(grade);
    const fen = yuanToFen(g.yuan);
    if (fen === null || fen < REWARD_MIN_FEN || fen > REWARD_MAX_FEN) e[`grades.${i}.yuan`] = t('admin.v.gradeReward');
    return { grade, rewardFen: fen ?? 0 };
  });
  const seenRanks = new Set<number>();
  const weeklyPrizes = f.prizes.map((p, i) => {
    const rank = parseIntIn(p.rank, 1, 10);
    if (rank === null) e[`prizes.${i}.rank`] = t('admin.v.intRange', { min: 1, max: 10 });
    else if (seenRanks.has(rank)) e[`prizes.${i}.rank`] = t('admin.v.rankDup');
    if (rank !== null) seenRanks.add(rank);
    const fen = yuanToFen(p.yuan);
    if (fen === null || fen <= 0 || fen > PRIZE_MAX_FEN) e[`prizes.${i}.yuan`] = t('admin.v.prize');
    return { rank: rank ?? 0, amountFen: fen ?? 0 };
  });
  const seenCounts = new Set<number>();
  const bonusTiers = f.bonus.map((b, i) => {
    const adoptedCount = parseIntIn(b.count, 1, 1000);
    if (adoptedCount === null) e[`bonus.${i}.count`] = t('admin.v.intRange', { min: 1, max: '1,000' });
    else if (seenCounts.has(adoptedCount)) e[`bonus.${i}.count`] = t('admin.v.tierDup');
    if (adoptedCount !== null) seenCounts.add(adoptedCount);
    const fen = yuanToFen(b.yuan);
    if (fen === null || fen <= 0 || fen > PRIZE_MAX_FEN) e[`bonus.${i}.yuan`] = t('admin.v.prize');
    return { adoptedCount: adoptedCount ?? 0, bonusFen: fen ?? 0 };
  });
  const seenReach = new Set<number>();
  const reachMultipliers = f.mults.map((m, i) => {
    const reachAtLeast = parseIntIn(m.reach, 1, Number.MAX_SAFE_INTEGER);
    if (reachAtLeast === null) e[`mults.${i}.reach`] = t('admin.v.intPositive');
    else if (seenReach.has(reachAtLeast)) e[`mults.${i}.reach`] = t('admin.v.tierDup');
    if (reachAtLeast !== null) seenReach.add(reachAtLeast);
    const multiplierPercent = parseIntIn(m.percent, 100, 500);
    if (multiplierPercent === null) e[`mults.${i}.percent`] = t('admin.v.intRange', { min: 100, max: 500 });
    return { reachAtLeast: reachAtLeast ?? 0, multiplierPercent: multiplierPercent ?? 0 };
  });
  const threshold = parseIntIn(f.threshold, 1, Number.MAX_SAFE_INTEGER);
  if (threshold === null) e.threshold = t('admin.v.int');
  const grandFen = yuanToFen(f.grandYuan);
  if (grandFen === null || grandFen > PRIZE_MAX_FEN) e.grandYuan = t('admin.v.grandAmount');
  const holdBackDays = parseIntIn(f.holdBackDays, 0, HOLD_BACK_MAX);
  if (holdBackDays === null) e.holdBackDays = t('admin.v.intRange', { min: 0, max: HOLD_BACK_MAX });
  const weights = { views: 0, likes: 0, comments: 0, shares: 0 };
  for (const k of WEIGHT_KEYS) {
    const w = parseWeight(f.weights[k]);
    if (w === null) e[`weights.${k}`] = t('distribution.campaign.weightRange', { max: WEIGHT_MAX });
    else weights[k] = w;
  }
  if (WEIGHT_KEYS.every((k) => !e[`weights.${k}`]) && WEIGHT_KEYS.every((k) => weights[k] === 0))
    e['weights.views'] = t('distribution.campaign.weightsAllZero');
  if (Object.keys(e).length) return { errors: e };
  return {
    errors: e,
    body: {
      slug: f.slug.trim(),
      title: { 'zh-CN': f.titleZh.trim(), en: f.titleEn.trim() },
      description: { 'zh-CN': f.descZh.trim(), en: f.descEn.trim() },
      themes: f.themes.map((th) => ({ key: th.key.trim(), title: { 'zh-CN': th.zh.trim(), en: th.en.trim() } })),
      startsAt: starts!,
      endsAt: ends!,
      quota: quota!,
      published: f.published,
      rules: {
        minDurationSeconds: minDur!,
        maxDurationSeconds: maxDur!,
        maxUploadBytes: maxUploadMb! * MB,
        grades,
        weeklyPrizes,
        bonusTiers: bonusTiers.sort((a, b) => a.adoptedCount - b.adoptedCount),
        reachMultipliers: reachMultipliers.sort((a, b) => a.reachAtLeast - b.reachAtLeast),
        grandPrize: { thresholdReach: threshold!, amountFen: grandFen!, holdBackDays: holdBackDays! },
        propagation: { rankBy: f.rankBy, weights },
      },
    },
  };
}

/** Server issue paths (zod) → our field keys, so server errors land next to the right input. */
function fieldKeyFor(path: string): string {
  const p = path.replace(/^body\./, '');
  const map: Record<string, string> = {
    'title.zh-CN': 'titleZh',
    'title.en': 'titleEn',
    'description.zh-CN': 'descZh',
    'description.en': 'descEn',
    'rules.minDurationSeconds': 'minDur',
    'rules.maxDurationSeconds': 'maxDur',
    'rules.maxUploadBytes': 'maxUploadMb',
    'rules.grades': 'grades',
    'rules.weeklyPrizes': 'prizes',
    'rules.bonusTiers': 'bonus',
    'rules.reachMultipliers': 'mults',
    'rules.grandPrize.thresholdReach': 'threshold',
    'rules.grandPrize.amountFen': 'grandYuan',
    'rules.grandPrize.holdBackDays': 'holdBackDays',
    'rules.propagation.rankBy': 'rankBy',
    'rules.propagation.weights.views': 'weights.views',
    'rules.propagation.weights.likes': 'weights.likes',
    'rules.propagation.weights.comments': 'weights.comments',
    'rules.propagation.weights.shares': 'weights.shares',
  };
  if (map[p]) return map[p];
  let m = /^themes\.(\d+)\.(key|title\.zh-CN|title\.en)$/.exec(p);
  if (m) return `themes.${m[1]}.${m[2] === 'key' ? 'key' : m[2] === 'title.en' ? 'en' : 'zh'}`;
  m = /^rules\.grades\.(\d+)\.(grade|rewardFen)$/.exec(p);
  if (m) return `grades.${m[1]}.${m[2] === 'grade' ? 'grade' : 'yuan'}`;
  m = /^rules\.weeklyPrizes\.(\d+)\.(rank|amountFen)$/.exec(p);
  if (m) return `prizes.${m[1]}.${m[2] === 'rank' ? 'rank' : 'yuan'}`;
  m = /^rules\.bonusTiers\.(\d+)\.(adoptedCount|bonusFen)$/.exec(p);
  if (m) return `bonus.${m[1]}.${m[2] === 'adoptedCount' ? 'count' : 'yuan'}`;
  m = /^rules\.reachMultipliers\.(\d+)\.(reachAtLeast|multiplierPercent)$/.exec(p);
  if (m) return `mults.${m[1]}.${m[2] === 'reachAtLeast' ? 'reach' : 'percent'}`;
  return p;
}

/** One table-like list of editable rows (grades, prizes, bonus tiers, multipliers): two fields and Remove per row, Add below. */
function RowList<R extends { rid: number }>(p: {
  legend: string;
  hint?: string;
  error?: string | null;
  empty?: string;
  rows: R[];
  max?: number;
  rowLegend: (n: number) => string;
  removeLabel: (n: number) => string;
  onRemove: (i: number) => void;
  addLabel: string;
  onAdd: () => void;
  fields: (row: R, i: number) => ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="sub">
      <legend>{p.legend}</legend>
      {p.hint ? <p className="hint">{p.hint}</p> : null}
      {p.error ? (
        <p className="field-error" role="alert">
          {p.error}
        </p>
      ) : null}
      {p.empty && p.rows.length === 0 ? <p className="muted">{p.empty}</p> : null}
      {p.rows.map((row, i) => (
        <fieldset key={row.rid} className="row-group row-2">
          <legend className="sr-only">{p.rowLegend(i + 1)}</legend>
          <span className="row-num" aria-hidden="true">
            {i + 1}
          </span>
          {p.fields(row, i)}
          <button type="button" className="btn btn-ghost" onClick={() => p.onRemove(i)} aria-label={p.removeLabel(i + 1)}>
            {t('common.remove')}
          </button>
        </fieldset>
      ))}
      <button type="button" className="btn btn-secondary" disabled={p.max !== undefined && p.rows.length >= p.max} onClick={p.onAdd}>
        {p.addLabel}
      </button>
    </fieldset>
  );
}

function CampaignForm({ initial, campaign }: { initial: FormState; campaign?: Campaign }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [f, setF] = useState<FormState>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<{ message: string; issues: string[] } | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  // An error stays until its own field is edited, so the message never points at a fixed value.
  const clearErrors = (...fieldKeys: string[]) =>
    setErrors((e) => {
      if (!fieldKeys.some((k) => k in e)) return e;
      const next = { ...e };
      for (const k of fieldKeys) delete next[k];
      return next;
    });
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => {
    setF((s) => ({ ...s, [k]: v }));
    clearErrors(k);
    setSaved(false);
  };
  const setRow = <K extends RowKey>(k: K, i: number, patch: Partial<FormState[K][number]>) => {
    setF((s) => ({ ...s, [k]: s[k].map((r, j) => (j === i ? { ...r, ...patch } : r)) }));
    clearErrors(k, ...Object.keys(patch).map((p) => `${k}.${i}.${p}`));
    setSaved(false);
  };
  const setWeight = (k: WeightKey, v: string) => {
    setF((s) => ({ ...s, weights: { ...s.weights, [k]: v } }));
    // An all-zero error sits on the first weight; any edit may clear it.
    clearErrors(`weights.${k}`, 'weights.views');
    setSaved(false);
  };
  const removeRow = (k: RowKey, i: number) => {
    setF((s) => ({ ...s, [k]: (s[k] as { rid: number }[]).filter((_, j) => j !== i) }));
  };
  const err = (k: string) => errors[k] ?? null;

  const focusFirstInvalid = () => {
    requestAnimationFrame(() => {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    });
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setServerError(null);
    setSaved(false);
    const { errors: e, body } = validate(f, t as T);
    setErrors(e);
    if (!body) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      if (campaign) {
        await api(`/api/admin/campaigns/${campaign.id}`, { method: 'PATCH', body });
      } else {
        await api('/api/admin/campaigns', { method: 'POST', body });
      }
      await qc.invalidateQueries({ queryKey: keys.adminCampaigns });
      void qc.invalidateQueries({ queryKey: keys.campaigns });
      if (campaign) {
        void qc.invalidateQueries({ queryKey: keys.campaign(campaign.slug) });
        setSaved(true);
      } else {
        await navigate({ to: '/admin/campaigns' });
      }
    } catch (x) {
      const issues = x instanceof ApiError ? x.issues() : [];
      const fieldErrs: Errors = {};
      const unplaced: string[] = [];
      for (const is of issues) {
        const k = fieldKeyFor(is.path);
        if (k in fieldErrs) continue;
        fieldErrs[k] = is.message;
        unplaced.push(is.path ? `${is.path}: ${is.message}` : is.message);
      }
      setErrors(fieldErrs);
      setServerError({ message: errorMessage(x), issues: unplaced });
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  };

  const errCount = Object.keys(errors).length;
  return (
    <form ref={formRef} onSubmit={submit} noValidate className="campaign-form">
      {serverError ? (
        <Alert>
          <p>
            <strong>{t('admin.form.serverErrors')}</strong> {serverError.message}
          </p>
          {serverError.issues.length ? (
            <ul>
              {serverError.issues.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          ) : null}
        </Alert>
      ) : errCount > 0 ? (
        <Alert>{t('auth.errorSummary')}</Alert>
      ) : null}
      {saved ? <Alert tone="success">{t('admin.form.updated')}</Alert> : null}

      <fieldset>
        <legend>{t('admin.form.basics')}</legend>
        <div className="grid-2">
          <Field
            label={t('admin.form.slug')}
            hint={t('admin.form.slugHint')}
            value={f.slug}
            onChange={(e) => set('slug', e.target.value)}
            error={err('slug')}
            required
            autoCapitalize="none"
            spellCheck={false}
          />
          <div />
          <Field
            label={t('admin.form.titleZh')}
            lang="zh-CN"
            value={f.titleZh}
            onChange={(e) => set('titleZh', e.target.value)}
            error={err('titleZh')}
            required
          />
          <Field label={t('admin.form.titleEn')} lang="en" value={f.titleEn} onChange={(e) => set('titleEn', e.target.value)} error={err('titleEn')} required />
          <TextArea
            label={t('admin.form.descZh')}
            lang="zh-CN"
            rows={4}
            value={f.descZh}
            onChange={(e) => set('descZh', e.target.value)}
            error={err('descZh')}
            required
          />
          <TextArea
            label={t('admin.form.descEn')}
            lang="en"
            rows={4}
            value={f.descEn}
            onChange={(e) => set('descEn', e.target.value)}
            error={err('descEn')}
            required
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('admin.form.themes')}</legend>
        {err('themes') ? (
          <p className="field-error" role="alert">
            {err('themes')}
          </p>
        ) : null}
        {f.themes.map((th, i) => (
          <fieldset key={th.rid} className="row-group row-3">
            <legend className="sr-only">{t('admin.form.themeRow', { n: i + 1 })}</legend>
            <span className="row-num" aria-hidden="true">
              {i + 1}
            </span>
            <Field
              label={t('admin.form.themeKey')}
              hint={t('admin.form.themeKeyHint')}
              value={th.key}
              onChange={(e) => setRow('themes', i, { key: e.target.value })}
              error={err(`themes.${i}.key`)}
              autoCapitalize="none"
              spellCheck={false}
              required
            />
            <Field
              label={t('admin.form.themeZh')}
              lang="zh-CN"
              value={th.zh}
              onChange={(e) => setRow('themes', i, { zh: e.target.value })}
              error={err(`themes.${i}.zh`)}
              required
            />
            <Field
              label={t('admin.form.themeEn')}
              lang="en"
              value={th.en}
              onChange={(e) => setRow('themes', i, { en: e.target.value })}
              error={err(`themes.${i}.en`)}
              required
            />
            <button type="button" className="btn btn-ghost" onClick={() => removeRow('themes', i)} aria-label={t('admin.form.removeTheme', { n: i + 1 })}>
              {t('common.remove')}
            </button>
          </fieldset>
        ))}
        <button type="button" className="btn btn-secondary" onClick={() => set('themes', [...f.themes, { rid: rid(), key: '', zh: '', en: '' }])}>
          {t('admin.form.addTheme')}
        </button>
      </fieldset>

      <fieldset>
        <legend>{t('admin.form.schedule')}</legend>
        <p className="hint">{t('admin.form.tzHint')}</p>
        <div className="grid-3">
          <Field
            label={t('admin.form.startsAt')}
            type="datetime-local"
            value={f.startsAt}
            onChange={(e) => set('startsAt', e.target.value)}
            error={err('startsAt')}
            required
          />
          <Field
            label={t('admin.form.endsAt')}
            type="datetime-local"
            value={f.endsAt}
            onChange={(e) => set('endsAt', e.target.value)}
            error={err('endsAt')}
            required
          />
          <Field
            label={t('admin.form.quota')}
            inputMode="numeric"
            value={f.quota}
            onChange={(e) => set('quota', e.target.value)}
            error={err('quota')}
            required
          />
        </div>
        <div className="check">
          <input id="published" type="checkbox" checked={f.published} onChange={(e) => set('published', e.target.checked)} />
          <label htmlFor="published">{t('admin.form.published')}</label>
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('admin.form.rules')}</legend>
        <div className="grid-3">
          <Field
            label={t('admin.form.minDuration')}
            inputMode="numeric"
            value={f.minDur}
            onChange={(e) => set('minDur', e.target.value)}
            error={err('minDur')}
            required
          />
          <Field
            label={t('admin.form.maxDuration')}
            inputMode="numeric"
            value={f.maxDur}
            onChange={(e) => set('maxDur', e.target.value)}
            error={err('maxDur')}
            required
          />
          <Field
            label={t('admin.form.maxUpload')}
            hint={t('admin.form.maxUploadHint')}
            inputMode="numeric"
            value={f.maxUploadMb}
            onChange={(e) => set('maxUploadMb', e.target.value)}
            error={err('maxUploadMb')}
            required
          />
        </div>

        <RowList
          legend={t('admin.form.grades')}
          hint={t('admin.form.gradesHint')}
          error={err('grades')}
          rows={f.grades}
          rowLegend={(n) => t('admin.form.gradeRow', { n })}
          removeLabel={(n) => t('admin.form.removeGrade', { n })}
          onRemove={(i) => removeRow('grades', i)}
          addLabel={t('admin.form.addGrade')}
          onAdd={() => set('grades', [...f.grades, { rid: rid(), grade: '', yuan: '' }])}
          fields={(g, i) => (
            <>
              <Field
                label={t('admin.form.grade')}
                value={g.grade}
                maxLength={8}
                onChange={(e) => setRow('grades', i, { grade: e.target.value })}
                error={err(`grades.${i}.grade`)}
                required
              />
              <Field
                label={t('admin.form.rewardYuan')}
                inputMode="decimal"
                value={g.yuan}
                onChange={(e) => setRow('grades', i, { yuan: e.target.value })}
                error={err(`grades.${i}.yuan`)}
                required
              />
            </>
          )}
        />

        <RowList
          legend={t('admin.form.weekly')}
          error={err('prizes')}
          empty={t('admin.form.noPrizes')}
          rows={f.prizes}
          max={10}
          rowLegend={(n) => t('admin.form.prizeRow', { n })}
          removeLabel={(n) => t('admin.form.removePrize', { n })}
          onRemove={(i) => removeRow('prizes', i)}
          addLabel={t('admin.form.addPrize')}
          onAdd={() => set('prizes', [...f.prizes, { rid: rid(), rank: String(f.prizes.length + 1), yuan: '' }])}
          fields={(p, i) => (
            <>
              <Field
                label={t('admin.form.rank')}
                inputMode="numeric"
                value={p.rank}
                onChange={(e) => setRow('prizes', i, { rank: e.target.value })}
                error={err(`prizes.${i}.rank`)}
                required
              />
              <Field
                label={t('admin.form.prizeYuan')}
                inputMode="decimal"
                value={p.yuan}
                onChange={(e) => setRow('prizes', i, { yuan: e.target.value })}
                error={err(`prizes.${i}.yuan`)}
                required
              />
            </>
          )}
        />

        <RowList
          legend={t('admin.form.bonusTiers')}
          hint={t('admin.form.bonusTiersHint')}
          error={err('bonus')}
          empty={t('admin.form.noBonusTiers')}
          rows={f.bonus}
          max={20}
          rowLegend={(n) => t('admin.form.bonusRow', { n })}
          removeLabel={(n) => t('admin.form.removeBonus', { n })}
          onRemove={(i) => removeRow('bonus', i)}
          addLabel={t('admin.form.addBonus')}
          onAdd={() => set('bonus', [...f.bonus, { rid: rid(), count: '', yuan: '' }])}
          fields={(b, i) => (
            <>
              <Field
                label={t('admin.form.bonusCount')}
                inputMode="numeric"
                value={b.count}
                onChange={(e) => setRow('bonus', i, { count: e.target.value })}
                error={err(`bonus.${i}.count`)}
                required
              />
              <Field
                label={t('admin.form.bonusYuan')}
                inputMode="decimal"
                value={b.yuan}
                onChange={(e) => setRow('bonus', i, { yuan: e.target.value })}
                error={err(`bonus.${i}.yuan`)}
                required
              />
            </>
          )}
        />

        <RowList
          legend={t('admin.form.reachMultipliers')}
          hint={t('admin.form.reachMultipliersHint')}
          error={err('mults')}
          empty={t('admin.form.noMultipliers')}
          rows={f.mults}
          max={10}
          rowLegend={(n) => t('admin.form.multRow', { n })}
          removeLabel={(n) => t('admin.form.removeMult', { n })}
          onRemove={(i) => removeRow('mults', i)}
          addLabel={t('admin.form.addMult')}
          onAdd={() => set('mults', [...f.mults, { rid: rid(), reach: '', percent: '150' }])}
          fields={(m, i) => (
            <>
              <Field
                label={t('admin.form.reachAtLeast')}
                inputMode="numeric"
                value={m.reach}
                onChange={(e) => setRow('mults', i, { reach: e.target.value })}
                error={err(`mults.${i}.reach`)}
                required
              />
              <Field
                label={t('admin.form.multiplierPercent')}
                inputMode="numeric"
                value={m.percent}
                onChange={(e) => setRow('mults', i, { percent: e.target.value })}
                error={err(`mults.${i}.percent`)}
                required
              />
            </>
          )}
        />

        <fieldset className="sub">
          <legend>{t('admin.form.grand')}</legend>
          <div className="grid-3">
            <Field
              label={t('admin.form.threshold')}
              inputMode="numeric"
              value={f.threshold}
              onChange={(e) => set('threshold', e.target.value)}
              error={err('threshold')}
              required
            />
            <Field
              label={t('admin.form.grandAmount')}
              inputMode="decimal"
              value={f.grandYuan}
              onChange={(e) => set('grandYuan', e.target.value)}
              error={err('grandYuan')}
              required
            />
            <Field
              label={t('distribution.campaign.holdBack')}
              hint={t('distribution.campaign.holdBackHint', { max: HOLD_BACK_MAX })}
              inputMode="numeric"
              value={f.holdBackDays}
              onChange={(e) => set('holdBackDays', e.target.value)}
              error={err('holdBackDays')}
              required
            />
          </div>
        </fieldset>

        <fieldset className="sub">
          <legend>{t('distribution.campaign.propagation')}</legend>
          <p className="hint">{t('distribution.campaign.propagationHint')}</p>
          <fieldset className="radio-row">
            <legend>{t('distribution.campaign.rankBy')}</legend>
            {(['index', 'reach'] as const).map((r) => (
              <div key={r} className="check">
                <input id={`rank-by-${r}`} type="radio" name="rankBy" value={r} checked={f.rankBy === r} onChange={() => set('rankBy', r)} />
                <label htmlFor={`rank-by-${r}`}>{t(`distribution.campaign.rankBy_${r}`)}</label>
              </div>
            ))}
          </fieldset>
          <div className="grid-4">
            {WEIGHT_KEYS.map((k) => (
              <Field
                key={k}
                label={t(`distribution.campaign.weight.${k}`)}
                inputMode="decimal"
                value={f.weights[k]}
                onChange={(e) => setWeight(k, e.target.value)}
                error={err(`weights.${k}`)}
                required
              />
            ))}
          </div>
          <p className="hint">{t('distribution.campaign.weightsHint', { max: WEIGHT_MAX })}</p>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => {
              set('weights', weightStrings(DEFAULT_PROPAGATION.weights));
              clearErrors('weights', ...WEIGHT_KEYS.map((k) => `weights.${k}`));
            }}
          >
            {t('distribution.campaign.resetWeights')}
          </button>
        </fieldset>
      </fieldset>

      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : campaign ? t('admin.form.update') : t('admin.form.create')}
        </button>
        <Link to="/admin/campaigns">{t('common.cancel')}</Link>
        {campaign ? (
          <Link to="/c/$slug" params={{ slug: campaign.slug }}>
            {t('admin.publicPage')}: {loc(campaign.title, i18n.language)}
          </Link>
        ) : null}
      </div>
    </form>
  );
}

export function NewCampaignPage() {
  const { t } = useTranslation();
  useTitle(t('admin.newCampaign'));
  return (
    <RequireRole roles={['admin']}>
      {() => (
        <div className="staff">
          <AdminNav />
          <h1>{t('admin.newCampaign')}</h1>
          <CampaignForm initial={emptyForm()} />
        </div>
      )}
    </RequireRole>
  );
}

function EditCampaignInner({ id }: { id: string }) {
  const q = useAdminCampaigns();
  const { t } = useTranslation();
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const c = q.data.find((x) => x.id === id);
  if (!c) return <Alert>{t('campaign.notFound')}</Alert>;
  return <CampaignForm key={c.id} initial={fromCampaign(c)} campaign={c} />;
}

export function EditCampaignPage() {
  const { id } = getRouteApi('/admin/campaigns/$id').useParams();
  const { t } = useTranslation();
  useTitle(t('admin.editCampaign'));
  return (
    <RequireRole roles={['admin']}>
      {() => (
        <div className="staff">
          <AdminNav />
          <h1>{t('admin.editCampaign')}</h1>
          <EditCampaignInner id={id} />
        </div>
      )}
    </RequireRole>
  );
}
