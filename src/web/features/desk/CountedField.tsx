import { useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { charCount, TAG_MAX } from '../../api/packaging.js';

/** Too short, too long, or fine, counting as the server does (a Chinese character is one). */
export function lengthProblem(value: string, max: number, min = 0): 'short' | 'long' | null {
  const n = charCount(value.trim());
  if (n > max) return 'long';
  if (n < min) return 'short';
  return null;
}

/** A text field with a live "n / max" counter that turns into an error past the limit. */
export function CountedField({
  label,
  value,
  onChange,
  max,
  min = 0,
  multiline = false,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  max: number;
  min?: number;
  multiline?: boolean;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const n = charCount(value.trim());
  const problem = lengthProblem(value, max, min);
  const counterId = `${id}-count`;
  const errId = `${id}-err`;
  const props = {
    id,
    value,
    disabled,
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': problem ? `${counterId} ${errId}` : counterId,
  };
  return (
    <div className={`field counted${problem ? ' field-invalid' : ''}`}>
      <div className="counted-head">
        <label htmlFor={id}>{label}</label>
        <span id={counterId} className={`counter${problem === 'long' ? ' is-over' : ''}`}>
          <span className="sr-only">{t('pack.countLabel')} </span>
          {n} / {max}
        </span>
      </div>
      {multiline ? (
        <textarea rows={3} {...props} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input type="text" {...props} onChange={(e) => onChange(e.target.value)} />
      )}
      {problem ? (
        <p id={errId} className="field-error">
          {problem === 'long' ? t('pack.tooLong', { over: n - max, max }) : min > 1 ? t('pack.tooShort', { min }) : t('common.required')}
        </p>
      ) : null}
    </div>
  );
}

/** Tags as chips: Enter or a comma (either width) adds one; Backspace in the empty box removes the last. */
export function TagInput({
  label,
  tags,
  onChange,
  max,
  disabled,
}: {
  label: string;
  tags: string[];
  onChange: (tags: string[]) => void;
  max: number;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [draft, setDraft] = useState('');
  const tooMany = tags.length > max;
  const tooLong = tags.find((x) => charCount(x) > TAG_MAX);
  const over = tooMany || !!tooLong;
  const add = (raw: string) => {
    const parts = raw
      .split(/[,，]/)
      .map((s) => s.trim())
      .filter(Boolean);
    const next = [...tags];
    for (const p of parts) if (!next.includes(p)) next.push(p);
    if (next.length !== tags.length) onChange(next);
    setDraft('');
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' || e.key === ',' || e.key === '，') {
      e.preventDefault();
      add(draft);
    } else if (e.key === 'Backspace' && !draft && tags.length) {
      onChange(tags.slice(0, -1));
    }
  };
  return (
    <div className={`field counted${over ? ' field-invalid' : ''}`}>
      <div className="counted-head">
        <label htmlFor={id}>{label}</label>
        <span id={`${id}-count`} className={`counter${over ? ' is-over' : ''}`}>
          <span className="sr-only">{t('pack.tagCountLabel')} </span>
          {tags.length} / {max}
        </span>
      </div>
      {tags.length ? (
        <ul className="tag-chips" aria-label={label}>
          {tags.map((tag) => (
            <li key={tag} className={`tag-chip${charCount(tag) > TAG_MAX ? ' is-over' : ''}`}>
              {tag}
              <button
                type="button"
                className="tag-chip-x"
                onClick={() => onChange(tags.filter((x) => x !== tag))}
                aria-label={t('pack.removeTag', { tag })}
                disabled={disabled}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        id={id}
        type="text"
        value={draft}
        maxLength={40}
        disabled={disabled || max === 0}
        placeholder={max === 0 ? t('pack.noTags') : t('pack.tagHint')}
        aria-describedby={`${id}-count`}
        aria-invalid={over ? true : undefined}
        onChange={(e) => (/[,，]/.test(e.target.value) ? add(e.target.value) : setDraft(e.target.value))}
        onKeyDown={onKey}
        onBlur={() => draft.trim() && add(draft)}
      />
      {tooMany ? <p className="field-error">{t('pack.tooManyTags', { max })}</p> : null}
      {tooLong ? <p className="field-error">{t('pack.tagTooLong', { tag: tooLong, max: TAG_MAX })}</p> : null}
    </div>
  );
}
