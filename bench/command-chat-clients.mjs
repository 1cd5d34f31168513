// The 1,000 phones of bench/command.bench.ts's chat part, in their own process so that parsing
// every delivery does not share an event loop with the hub being measured. Plain JavaScript:
// the bench forks it with node, no loader. Reads one JSON job from the parent, answers with
// the figures, then exits.
import { WebSocket } from 'ws';

const opened = (ws) =>
  new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

async function hubSocket(base, cookie) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/command/ws`, { headers: { cookie } });
  // The hello can come in the same read as the handshake: listen before the socket opens.
  const hello = new Promise((r) => ws.once('message', r));
  await opened(ws);
  await hello;
  return ws;
}

function percentile(xs, q) {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

process.once('message', async ({ base, cookies, assignmentId, sockets: count, senders, seconds }) => {
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const ws = await hubSocket(base, cookies[i % cookies.length]);
    ws.send(JSON.stringify({ type: 'subscribe', assignmentId }));
    sockets.push(ws);
  }
  await new Promise((r) => setTimeout(r, 500));
  const latencies = [];
  let sent = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'chat.message' && running) latencies.push(Date.now() - Number(m.message.body.split(' ')[0]));
    });
  }
  const t0 = Date.now();
  const loops = sockets.slice(0, senders).map(async (ws, k) => {
    let n = 0;
    while (Date.now() - t0 < seconds * 1000) {
      const clientId = `b-${k}-${n++}`;
      await new Promise((resolve) => {
        const on = (d) => {
          const m = JSON.parse(d.toString());
          if ((m.type === 'chat.ack' || m.type === 'error') && m.clientId === clientId) {
            ws.off('message', on);
            resolve();
          }
        };
        ws.on('message', on);
        ws.send(JSON.stringify({ type: 'chat.send', assignmentId, clientId, body: `${Date.now()} 测试消息` }));
      });
      sent += 1;
      // Within the per-socket rate (20/s).
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  await Promise.all(loops);
  const elapsed = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  running = false;
  for (const ws of sockets) ws.close();
  process.send({ perSecond: sent / elapsed, deliveries: latencies.length, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) }, () =>
    process.exit(0),
  );
});
