import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

/** One plain-text email to one address. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** A message was not sent; `retryable` says whether the same message may succeed later. */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'MailSendError';
  }
}

export interface Mailer {
  readonly name: 'console' | 'smtp';
  /** Resolves once the server accepted the message; otherwise throws MailSendError. */
  send(msg: MailMessage): Promise<void>;
}

const ADDRESS = /^[^\s<>@",;\\]+@[^\s<>@",;\\]+\.[^\s<>@",;\\]+$/;
const checkAddress = (a: string) => {
  if (!ADDRESS.test(a)) throw new MailSendError('not a plain email address', false);
};

/** Development: the message goes to the log instead of a mail server. */
export function consoleMailer(log: (line: string) => void): Mailer {
  return {
    name: 'console',
    async send(msg) {
      checkAddress(msg.to);
      log(`[mail] to ${msg.to.replace(/^(.).*@/, '$1***@')}: ${msg.subject}\n${msg.text}`);
    },
  };
}

export interface SmtpOptions {
  /** `smtps://user:pass@host:465` (TLS from the start) or `smtp://user:pass@host:587` (STARTTLS when offered). */
  url: string;
  /** `Paike <noreply@example.com>` or a bare address. */
  from: string;
  /** Extra TLS options (tests pass the fake server's certificate as `ca`). */
  tls?: tls.ConnectionOptions;
  timeoutMs?: number;
}

/** RFC 2047 encoded words for a header value that is not plain ASCII; each word whole characters, ≤ 45 bytes. */
function encodeHeader(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let cur = '';
  for (const ch of value) {
    if (Buffer.byteLength(cur + ch) > 45) {
      words.push(cur);
      cur = '';
    }
    cur += ch;
  }
  words.push(cur);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/**
 * A minimal SMTP client (RFC 5321) on node:net/tls: EHLO, STARTTLS, AUTH PLAIN, one message
 * per connection, the body base64-encoded UTF-8 (no 8BITMIME or line-length concerns).
 * Credentials never cross an unencrypted connection except to a loopback relay.
 */
export function smtpMailer(opts: SmtpOptions): Mailer {
  const u = new URL(opts.url);
  const implicitTls = u.protocol === 'smtps:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || (implicitTls ? 465 : 587));
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  const fromMatch = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(opts.from);
  const fromAddr = fromMatch ? fromMatch[2]! : opts.from.trim();
  const fromHeader = fromMatch?.[1] ? `${encodeHeader(fromMatch[1].replace(/^"|"$/g, ''))} <${fromAddr}>` : fromAddr;
  checkAddress(fromAddr);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');

  return {
    name: 'smtp',
    async send(msg) {
      checkAddress(msg.to);
      let socket: net.Socket = implicitTls ? tls.connect({ host, port, servername: host, ...opts.tls }) : net.connect({ host, port });
      let buf = '';
      let lines: string[] = [];
      const ready: { code: number; lines: string[] }[] = [];
      let wake: (() => void) | undefined;
      let broken: Error | undefined;
      const onData = (d: Buffer) => {
        // Replies are ASCII but for free text; latin1 never splits a character across chunks.
        buf += d.toString('latin1');
        for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          lines.push(line.slice(4));
          if (line[3] !== '-') {
            ready.push({ code: Number(line.slice(0, 3)), lines });
            lines = [];
          }
        }
        wake?.();
      };
      const onEnd = (err?: Error) => {
        broken ??= err ?? new Error('connection closed');
        wake?.();
      };
      const attach = (s: net.Socket) => {
        s.setTimeout(timeoutMs, () => s.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
        s.on('data', onData)
          .on('error', onEnd)
          .on('close', () => onEnd());
      };
      attach(socket);
      const reply = async (expect: number[], what: string) => {
        while (!ready.length && !broken) await new Promise<void>((r) => (wake = r));
        const r = ready.shift();
        if (!r) throw new MailSendError(`SMTP ${what}: ${broken?.message ?? 'no reply'}`, true);
        if (!expect.includes(r.code)) throw new MailSendError(`SMTP ${what}: ${r.code} ${r.lines.join(' ').slice(0, 200)}`, r.code < 500);
        return r;
      };
      const cmd = (line: string, expect: number[], what = line.split(' ')[0]!) => (socket.write(`${line}\r\n`), reply(expect, what));
      try {
        await reply([220], 'greeting');
        let ehlo = await cmd(`EHLO ${u.searchParams.get('name') ?? 'paike'}`, [250]);
        if (!implicitTls && ehlo.lines.some((l) => /^STARTTLS\b/i.test(l))) {
          await cmd('STARTTLS', [220]);
          socket.removeAllListeners('data').removeAllListeners('close').removeAllListeners('error').setTimeout(0);
          const plain = socket;
          socket = tls.connect({ socket: plain, servername: host, ...opts.tls });
          attach(socket);
          await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
          ehlo = await cmd(`EHLO ${u.searchParams.get('name') ?? 'paike'}`, [250]);
        } else if (!implicitTls && user && !loopback) {
          throw new MailSendError('SMTP server offers no STARTTLS; refusing to send the password in clear', false);
        }
        if (user) await cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`, [235], 'AUTH');
        await cmd(`MAIL FROM:<${fromAddr}>`, [250], 'MAIL');
        await cmd(`RCPT TO:<${msg.to}>`, [250, 251], 'RCPT');
        await cmd('DATA', [354]);
        const domain = fromAddr.split('@')[1];
        const head = [
          `From: ${fromHeader}`,
          `To: <${msg.to}>`,
          `Subject: ${encodeHeader(msg.subject.replace(/[\r\n]+/g, ' '))}`,
          `Date: ${new Date().toUTCString().replace(/GMT$/, '+0000')}`,
          `Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: base64',
        ];
        const body = (
          Buffer.from(msg.text.replace(/\r?\n/g, '\r\n'))
            .toString('base64')
            .match(/.{1,76}/g) ?? []
        ).join('\r\n');
        // Base64 lines never start with '.', so no dot-stuffing is needed.
        await cmd(`${head.join('\r\n')}\r\n\r\n${body}\r\n.`, [250], 'message');
        await cmd('QUIT', [221]).catch(() => {});
      } catch (err) {
        if (err instanceof MailSendError) throw err;
        throw new MailSendError(`SMTP: ${err instanceof Error ? err.message : String(err)}`, true);
      } finally {
        socket.destroy();
      }
    },
  };
}
