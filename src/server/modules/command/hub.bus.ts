import type { Redis } from 'ioredis';
import { createLocalBus as createLocalBusOf, createRedisBus as createRedisBusOf, type Bus } from '../../lib/bus.js';
import type { HubServerMessage } from '../../../contracts/command.js';

/**
 * Who a hub event is for: the sockets subscribed to an assignment's thread (optionally only the
 * desk's or only the field's) and every socket of some users; a socket in both gets it once.
 */
export interface HubTarget {
  assignmentId?: string;
  side?: 'desk' | 'field';
  userIds?: string[];
}
export interface HubEnvelope {
  target: HubTarget;
  event: HubServerMessage;
}

/** The command hub's bus (lib/bus.ts): events for sockets of the live contact. */
export type HubBus = Bus<HubEnvelope>;
export const createLocalBus = (): HubBus => createLocalBusOf<HubEnvelope>();
export const createRedisBus = (redis: Redis, channel: string, onError: (err: unknown) => void): HubBus =>
  createRedisBusOf<HubEnvelope>(redis, channel, onError);
