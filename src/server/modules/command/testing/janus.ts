import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const JANUS_BIN = '/usr/bin/janus';
const LIB = '/usr/lib/x86_64-linux-gnu/janus';

/** Whether this machine can run the Janus tests (CI installs Debian's janus; a laptop may not have it). */
export const janusInstalled = existsSync(JANUS_BIN);

export interface TestJanus {
  /** ws://127.0.0.1:<port>/ for JANUS_URL. */
  url: string;
  port: number;
  /** Where rooms record (JANUS_RECORDINGS_DIR). */
  recordingsDir: string;
  /** Kills Janus (SIGKILL: a crash, as far as Paike can tell). */
  stop(): Promise<void>;
  /** Starts it again on the same port and recordings dir. */
  start(): Promise<void>;
  /** Stops it and removes its folders. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * A private Janus for tests, e2e and the bench: its own config folder (VideoRoom and the
 * WebSocket transport only, on a free loopback port), its own recordings folder, killed on close.
 * The config is the one docs/command-janus.md gives for production, minus what only a public
 * server needs (api_secret, NAT settings).
 */
export async function startTestJanus(opts: { recordingsDir?: string; log?: string } = {}): Promise<TestJanus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paike-janus-'));
  const recordingsDir = opts.recordingsDir ?? path.join(dir, 'recordings');
  await mkdir(recordingsDir, { recursive: true });
  const port = await freePort();
  await writeFile(
    path.join(dir, 'janus.jcfg'),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${LIB}/plugins"
  transports_folder = "${LIB}/transports"
  events_folder = "${LIB}/events"
  loggers_folder = "${LIB}/loggers"
  debug_level = 3
  session_timeout = 60
}
media: {
  rtp_port_range = "20000-40000"
}
nat: {
  ice_ignore_list = "vmnet"
}
plugins: {
  disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}
transports: {
  disable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
events: {
  broadcast = false
}
`,
  );
  await writeFile(
    path.join(dir, 'janus.transport.websockets.jcfg'),
    `general: {\n  json = "compact"\n  ws = true\n  ws_port = ${port}\n  ws_ip = "127.0.0.1"\n  wss = false\n}\nadmin: {\n  admin_ws = false\n  admin_wss = false\n}\n`,
  );
  await writeFile(path.join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');

  let child: ChildProcess | null = null;
  const logFile = opts.log ?? path.join(dir, 'janus.log');

  async function start(): Promise<void> {
    if (child) return;
    const proc = spawn(JANUS_BIN, ['-F', dir, '-C', path.join(dir, 'janus.jcfg'), '-L', logFile, '-N'], { stdio: 'ignore' });
    child = proc;
    proc.once('exit', () => {
      if (child === proc) child = null;
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (!child) throw new Error(`Janus exited while starting (see ${logFile})`);
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Janus did not open port ${port} within 15 s (see ${logFile})`);
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = null;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  await start();
  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    recordingsDir,
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
