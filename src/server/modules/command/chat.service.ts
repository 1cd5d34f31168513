import type { ChatMessage } from '../../../contracts/command.js';
import { ENDED_ASSIGNMENT_STATUSES } from '../../../contracts/command.limits.js';
import { AppError } from '../../lib/errors.js';
import { can, type Actor } from '../accounts/permissions.js';
import type { ChatRepository, ChatRow } from './chat.repository.js';
import type { CommandScopeService } from './command.scope.js';
import type { HubBus } from './hub.bus.js';

export interface ChatServiceDeps {
  repo: ChatRepository;
  scope: CommandScopeService;
  bus: HubBus;
}

/** Most messages one read returns; a client pages with the last id it has. */
export const CHAT_PAGE = 200;

export function toChatMessage(r: ChatRow): ChatMessage {
  return {
    id: r.id,
    assignmentId: r.assignmentId,
    senderId: r.senderId,
    senderName: r.senderName,
    senderSide: can({ id: r.senderId, roles: r.senderRoles }, 'command.view') ? 'desk' : 'field',
    clientId: r.clientId,
    body: r.body,
    createdAt: r.createdAt.toISOString(),
  };
}

/**
 * An assignment's chat thread between the desk and the people working it (docs/command-live.md,
 * "Chat"). Exactly-once over a flaky link comes from two ids: the sender's client id makes a
 * resend return the original instead of a copy, and the thread's increasing id lets a client
 * that reconnects ask for everything after the last message it holds.
 */
export function createChatService(deps: ChatServiceDeps) {
  const { repo, scope, bus } = deps;
  return {
    async send(
      actor: Actor | null | undefined,
      input: { assignmentId: string; clientId: string; body: string },
    ): Promise<{ message: ChatMessage; duplicate: boolean }> {
      const access = await scope.accessWorking(actor, input.assignmentId);
      if ((ENDED_ASSIGNMENT_STATUSES as readonly string[]).includes(access.assignment.status)) throw new AppError('command.chat.assignment_ended');
      const { row, duplicate } = await repo.create({ assignmentId: input.assignmentId, senderId: actor!.id, clientId: input.clientId, body: input.body });
      // The same client id on another thread is a client bug: answering with the other thread's message would misfile it.
      if (row.assignmentId !== input.assignmentId) throw new AppError('command.chat.client_id_reused');
      const message = toChatMessage(row);
      if (!duplicate) await bus.publish({ target: { assignmentId: input.assignmentId }, event: { type: 'chat.message', message } });
      return { message, duplicate };
    },
    async list(actor: Actor | null | undefined, assignmentId: string, afterId: number, limit = CHAT_PAGE): Promise<ChatMessage[]> {
      await scope.accessWorking(actor, assignmentId);
      return (await repo.listAfter(assignmentId, afterId, Math.min(limit, CHAT_PAGE))).map(toChatMessage);
    },
  };
}
export type ChatService = ReturnType<typeof createChatService>;
