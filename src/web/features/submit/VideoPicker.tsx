import { useId, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Two ways to get a video on a phone: pick a file, or record one now with the back camera.
 * The inputs stay in the accessibility tree (focusable, labelled); the labels look like buttons.
 */
export function VideoPicker({ onPick, disabled, multiple }: { onPick: (files: File[]) => void; disabled?: boolean; multiple?: boolean }) {
  const { t } = useTranslation();
  const fileId = useId();
  const camId = useId();
  const handle = (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    // Reset so choosing the same file again still fires a change.
    e.target.value = '';
    if (files.length) onPick(files);
  };
  return (
    <div className={`video-picker${disabled ? ' is-disabled' : ''}`}>
      <div className="picker-option">
        <input id={fileId} type="file" accept="video/*" multiple={multiple} className="sr-only picker-input" disabled={disabled} onChange={handle} />
        <label htmlFor={fileId} className="btn btn-secondary btn-block picker-label">
          {multiple ? t('submit.chooseFiles') : t('submit.chooseFile')}
        </label>
      </div>
      <div className="picker-option">
        <input id={camId} type="file" accept="video/*" capture="environment" className="sr-only picker-input" disabled={disabled} onChange={handle} />
        <label htmlFor={camId} className="btn btn-secondary btn-block picker-label">
          {t('submit.record')}
        </label>
      </div>
    </div>
  );
}
