/**
 * Reads server-sent events from a fetch Response, one `{event, data}` at a time (data parsed
 * as JSON); comments and `retry:` lines are skipped. Throws after `timeoutMs` without an event.
 */
export function sseReader(res: Response, timeoutMs = 10_000): () => Promise<{ event: string; data: unknown }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async () => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cut = buffer.indexOf('\n\n');
      if (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) return { event, data: JSON.parse(data) as unknown };
        continue;
      }
      if (Date.now() > deadline) throw new Error(`no event in ${timeoutMs} ms; got ${buffer}`);
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
}
