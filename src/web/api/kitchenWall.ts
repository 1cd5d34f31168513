import type { WallSnapshot } from '../../contracts/kitchen.js';
import { api } from './client.js';

export type { WallSnapshot };

export const WALL_URL = '/api/kitchen/wall';
export const WALL_STREAM_URL = '/api/kitchen/wall/stream';

/** One snapshot (also how the page checks its session before it opens the stream). */
export const getWall = (lang: string) => api<{ wall: WallSnapshot }>(WALL_URL, { headers: { 'accept-language': lang } }).then((r) => r.wall);
