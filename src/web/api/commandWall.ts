import type { CommandWallSnapshot } from '../../contracts/command.js';
import { api } from './client.js';

export type { CommandWallSnapshot };

export const COMMAND_WALL_URL = '/api/command/wall';
export const COMMAND_WALL_STREAM_URL = '/api/command/wall/stream';

/** One snapshot (also how the page checks its session before it opens the stream). */
export const getCommandWall = (lang: string) =>
  api<{ wall: CommandWallSnapshot }>(COMMAND_WALL_URL, { headers: { 'accept-language': lang } }).then((r) => r.wall);
