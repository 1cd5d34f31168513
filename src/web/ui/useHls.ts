import { useEffect, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';

const HLS_TYPE = 'application/vnd.apple.mpegurl';

/**
 * Plays an HLS source in a <video>: the browser's own HLS where it has no classic MediaSource
 * (iPhone Safari), hls.js elsewhere. Chromium also answers "maybe" to canPlayType(HLS), so that
 * answer alone does not pick native playback. hls.js loads on demand: it is most of a megabyte.
 * Returns a translated error when the video cannot be played.
 */
export function useHls(ref: RefObject<HTMLVideoElement | null>, src: string): string | null {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    setError(null);
    if (!!video.canPlayType(HLS_TYPE) && typeof window.MediaSource === 'undefined') {
      video.src = src;
      return () => {
        video.removeAttribute('src');
        video.load();
      };
    }
    let destroyed = false;
    let destroy: (() => void) | null = null;
    void import('hls.js')
      .then(({ default: Hls }) => {
        if (destroyed) return;
        if (!Hls.isSupported()) {
          if (video.canPlayType(HLS_TYPE)) video.src = src;
          else setError(t('player.unsupported'));
          return;
        }
        // Media are cookie-authorised (the contributor's own, or the desk's).
        const hls = new Hls({ xhrSetup: (xhr) => void (xhr.withCredentials = true) });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (!data.fatal) return;
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
          else setError(t('player.failed'));
        });
        hls.loadSource(src);
        hls.attachMedia(video);
        destroy = () => hls.destroy();
      })
      .catch(() => setError(t('player.failed')));
    return () => {
      destroyed = true;
      destroy?.();
    };
  }, [ref, src, t]);
  return error;
}
