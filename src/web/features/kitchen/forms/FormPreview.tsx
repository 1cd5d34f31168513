import { useTranslation } from 'react-i18next';
import type { Form } from '../../../api/kitchenForms.js';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const imageUrl = (id: unknown, size: 'web' | 'thumb' | 'print' = 'web') => (typeof id === 'string' && id ? `/api/kitchen/images/${id}/${size}` : null);

/**
 * What the form will look like where it goes: a print block at its column width, a web article,
 * a Weibo post, a WeChat article card, a 16:9 screen card. Text fields follow the editor live;
 * the body shows the last saved (sanitised) HTML.
 */
export function FormPreview({
  form,
  draft,
  savedBodyHtml,
  hasVideo,
  storyId,
}: {
  form: Form;
  draft: Record<string, unknown>;
  savedBodyHtml: string;
  hasVideo: boolean;
  storyId: string;
}) {
  const { t } = useTranslation();
  const body = <div className="k-forms-body" dangerouslySetInnerHTML={{ __html: savedBodyHtml }} />;
  switch (form) {
    case 'print': {
      const columns = typeof draft.columns === 'number' && draft.columns > 0 ? draft.columns : 4;
      const firstImage = Array.isArray(draft.imageIds) ? imageUrl(draft.imageIds[0], 'thumb') : null;
      return (
        <figure className="k-forms-print" style={{ width: `${columns * 5.2}rem` }} aria-label={t('kitchenForms.preview.print', { columns })}>
          <h3 className="k-forms-print-head">{str(draft.headline)}</h3>
          {draft.standfirst ? <p className="k-forms-print-stand">{str(draft.standfirst)}</p> : null}
          {firstImage ? <img src={firstImage} alt="" className="k-forms-print-img" /> : null}
          <div className="k-forms-print-cols" style={{ columnCount: columns }}>
            {body}
          </div>
          <figcaption className="muted small">
            {t('kitchenForms.preview.printCaption', { columns, page: str(draft.page) || '—', edition: str(draft.edition) || '—' })}
          </figcaption>
        </figure>
      );
    }
    case 'web':
    case 'app':
      return (
        <article className={`k-forms-web${form === 'app' ? ' k-forms-app' : ''}`}>
          <h3>{str(draft.headline)}</h3>
          {draft.standfirst ? <p className="k-forms-stand">{str(draft.standfirst)}</p> : null}
          {body}
        </article>
      );
    case 'weibo':
      return (
        <article className="k-forms-weibo" aria-label={t('kitchenForms.preview.weibo')}>
          <header>
            <span className="k-forms-avatar" aria-hidden="true">
              拍
            </span>
            <strong>Paike</strong>
          </header>
          <p>
            {str(draft.text)} <span className="k-forms-link">{`${location.origin}/stories/${storyId}`}</span>
          </p>
        </article>
      );
    case 'wechat':
      return (
        <article className="k-forms-wechat" aria-label={t('kitchenForms.preview.wechat')}>
          <div className="k-forms-cover">{t('kitchenForms.preview.cover')}</div>
          <h3>{str(draft.title)}</h3>
          <p className="muted small">{str(draft.author)}</p>
          <p className="k-forms-digest">{str(draft.digest)}</p>
          {hasVideo ? <p className="k-forms-link">▶ {t('kitchenForms.preview.videoLink')}</p> : null}
        </article>
      );
    case 'toutiao':
    case 'penguin':
      return (
        <article className="k-forms-video" aria-label={t(`kitchenForms.forms.${form}`)}>
          <div className="k-forms-cover">▶</div>
          <h3>{str(draft.title)}</h3>
          <p>{str(draft.summary)}</p>
        </article>
      );
    case 'screen': {
      const img = imageUrl(draft.imageId);
      return (
        <div className="k-forms-screen" style={img ? { backgroundImage: `url(${img})` } : undefined} aria-label={t('kitchenForms.preview.screen')} role="img">
          <div className="k-forms-screen-text">
            <strong>{str(draft.headline)}</strong>
            <span>{str(draft.subline)}</span>
          </div>
          {draft.videoSubmissionId ? <span className="k-forms-screen-qr">{t('kitchenForms.preview.qr')}</span> : null}
        </div>
      );
    }
  }
}
