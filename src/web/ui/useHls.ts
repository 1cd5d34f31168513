import { useEffect, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';

const HLS_TYPE = 'application/vnd.apple.mpegurl';

/**
 * Whether this browser plays HLS itself: it has no classic MediaSource (iPhone Safari) and
 * says it can play the type. Chromium also answers "maybe" to canPlayType(HLS), so that answer
 * alone does not pick native playback.
 */
export function playsHlsNatively(video: HTMLVideoElement): boolean {
  return !!video.canPlayType(HLS_TYPE) && typeof window.MediaSource === 'undefined';
}

/**
 * Plays an HLS source in a <video>: the browser's own HLS where it has one (see
 * playsHlsNatively), hls.js elsewhere. hls.js loads on demand: it is the largest thing on a
 * video page, so it is fetched only once a <video> is asked to play (VideoPlayer mounts its
 * <video> on play). `src` null means not yet: nothing is loaded. Playback starts on the lowest
 * rung (hls.js sorts its levels lowest first) and ABR climbs from there, so the first frame needs
 * only one small segment even on a weak network. Returns a translated error when the video
 * cannot be played.
 */
export function useHls(ref: RefObject<HTMLVideoElement | null>, src: string | null, opts: { live?: boolean } = {}): string | null {
  const live = !!opts.live;
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video || !src) return;
    setError(null);
    if (playsHlsNatively(video)) {
      // The master playlist lists the lowest rung first: Safari starts on the first variant.
      video.src = src;
      return () => {
        video.removeAttribute('src');
        video.load();
      };
    }
    let destroyed = false;
    let destroy: (() => void) | null = null;
    void import('hls.js/light')
      .then(({ default: Hls }) => {
        if (destroyed) return;
        if (!Hls.isSupported()) {
          if (video.canPlayType(HLS_TYPE)) video.src = src;
          else setError(t('player.unsupported'));
          return;
        }
        const hls = new Hls({
          // Media are cookie-authorised (the contributor's own, or the desk's).
          xhrSetup: (xhr) => void (xhr.withCredentials = true),
          startLevel: 0,
          // No rung larger than the player shows (a phone's 390 px column needs no 1080p).
          capLevelToPlayerSize: true,
        });
        // A live stream that cannot be loaded for a while (a weak network, the encoder behind
        // under load) is tried again, backing off to 10 s, rather than left dead: whether the
        // broadcast is over is the page's to say (it asks the server), not the player's.
        let retries = 0;
        let retry: ReturnType<typeof setTimeout> | undefined;
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (!data.fatal) return;
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
          else if (live && data.type === Hls.ErrorTypes.NETWORK_ERROR) {
            setError(t('player.reconnecting'));
            clearTimeout(retry);
            retry = setTimeout(() => hls.startLoad(), Math.min(10_000, 1000 * 2 ** retries++));
          } else setError(t('player.failed'));
        });
        if (live)
          hls.on(Hls.Events.FRAG_LOADED, () => {
            if (retries === 0) return;
            retries = 0;
            setError(null);
          });
        hls.loadSource(src);
        hls.attachMedia(video);
        destroy = () => {
          clearTimeout(retry);
          hls.destroy();
        };
      })
      .catch(() => setError(t('player.failed')));
    return () => {
      destroyed = true;
      destroy?.();
    };
  }, [ref, src, t, live]);
  return error;
}
