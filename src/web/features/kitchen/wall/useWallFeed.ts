import { useCallback } from 'react';
import { getWall, WALL_STREAM_URL, type WallSnapshot } from '../../../api/kitchenWall.js';
import { useLiveFeed, type LiveFeed } from '../../../ui/liveWall.js';

/** After this long without a snapshot or a heartbeat, the wall says its figures may be old. */
export const STALE_AFTER_MS = 60_000;

export type WallFeed = LiveFeed<WallSnapshot>;

/** The 传播力 wall's live data (ui/liveWall.ts). */
export function useWallFeed(lang: string): WallFeed {
  const load = useCallback(() => getWall(lang), [lang]);
  return useLiveFeed(load, WALL_STREAM_URL, lang);
}
