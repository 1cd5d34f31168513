import type { FastifyReply, FastifyRequest } from 'fastify';

/** One connected reader of a server-sent event stream, as the walls' hubs see it. */
export interface SseClient {
  write(frame: string): void;
  /** Bytes queued and not yet sent to the socket: a reader that stops reading can be dropped. */
  backlog(): number;
  close(): void;
}

export const sseFrame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Takes the response over as `text/event-stream` and hands it to `subscribe` as an SseClient;
 * the function `subscribe` returns is called once when the reader goes away. Authorize before
 * calling this: after it, errors can no longer be answered as JSON.
 */
export async function openSseStream(req: FastifyRequest, reply: FastifyReply, subscribe: (client: SseClient) => Promise<() => void>): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store',
    connection: 'keep-alive',
    // nginx and similar proxies: pass each event on at once.
    'x-accel-buffering': 'no',
  });
  // The pages reconnect on their own with backoff; this is the browser's own retry as a floor.
  res.write('retry: 3000\n\n');
  let gone = false;
  const sub: { off?: () => void } = {};
  const end = () => {
    if (gone) return;
    gone = true;
    sub.off?.();
    if (!res.writableEnded) res.end();
  };
  req.raw.on('close', end);
  res.on('error', end);
  sub.off = await subscribe({
    write: (frame) => {
      if (!gone) res.write(frame);
    },
    backlog: () => res.writableLength,
    close: end,
  });
  if (gone) sub.off();
}
