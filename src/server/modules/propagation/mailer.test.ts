import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailSendError, consoleMailer, smtpMailer } from './mailer.js';

interface Received {
  from: string;
  to: string[];
  data: string;
  secure: boolean;
  user: string | null;
}

/**
 * A fake SMTP server (RFC 5321 as far as the client uses it): EHLO, STARTTLS, AUTH PLAIN only
 * over TLS (as real submission servers insist), MAIL, RCPT, DATA with dot-unstuffing, QUIT.
 */
function startFakeSmtp(opts: { key: string; cert: string; implicitTls?: boolean; starttls?: boolean; rcptReply?: string }) {
  const received: Received[] = [];
  const handle = (sock: net.Socket, secure: boolean) => {
    let buf = '';
    let inData = false;
    let data: string[] = [];
    let env: Received = { from: '', to: [], data: '', secure, user: null };
    const say = (s: string) => sock.write(`${s}\r\n`);
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received.push({ ...env, data: data.join('\r\n') });
            say('250 2.0.0 queued');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const [verb = '', ...rest] = line.split(' ');
        const arg = rest.join(' ');
        switch (verb.toUpperCase()) {
          case 'EHLO':
            say('250-fake.test');
            if (opts.starttls && !env.secure) say('250-STARTTLS');
            say('250 AUTH PLAIN');
            break;
          case 'STARTTLS':
            say('220 2.0.0 ready');
            sock.removeListener('data', onData);
            handle(new tls.TLSSocket(sock, { isServer: true, key: opts.key, cert: opts.cert }), true);
            return;
          case 'AUTH': {
            if (!env.secure) return say('538 5.7.11 encryption required');
            const [, user, pass] = Buffer.from(arg.replace(/^PLAIN /i, ''), 'base64')
              .toString('utf8')
              .split('\0');
            if (user === 'paike' && pass === 'p@ss word') {
              env.user = user;
              say('235 2.7.0 ok');
            } else say('535 5.7.8 bad credentials');
            break;
          }
          case 'MAIL':
            env = { ...env, from: arg.replace(/^FROM:/i, ''), to: [] };
            say('250 ok');
            break;
          case 'RCPT':
            if (opts.rcptReply) return say(opts.rcptReply);
            env.to.push(arg.replace(/^TO:/i, ''));
            say('250 ok');
            break;
          case 'DATA':
            inData = true;
            data = [];
            say('354 go ahead');
            break;
          case 'QUIT':
            say('221 bye');
            sock.end();
            return;
          default:
            say('502 unknown');
        }
      }
    };
    sock.on('data', onData);
    sock.on('error', () => {});
  };
  const server = opts.implicitTls
    ? tls.createServer({ key: opts.key, cert: opts.cert }, (s) => {
        s.write('220 fake ESMTP\r\n');
        handle(s, true);
      })
    : net.createServer((s) => {
        s.write('220 fake ESMTP\r\n');
        handle(s, false);
      });
  return new Promise<{ port: number; received: Received[]; close(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as net.AddressInfo).port, received, close: () => new Promise<void>((r) => server.close(() => r())) }),
    );
  });
}

/** Unfolds and decodes the message the server got: headers (RFC 2047 words decoded) and the base64 body. */
function parse(data: string) {
  const [head = '', body = ''] = data.split('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const h of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = h.indexOf(':');
    const value = h
      .slice(i + 1)
      .trim()
      // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
      .replace(/\?=\s+=\?UTF-8\?B\?/g, '?==?UTF-8?B?')
      .replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
    headers.set(h.slice(0, i).toLowerCase(), value);
  }
  return { headers, text: Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8') };
}

let dir: string;
let key: string;
let cert: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'paike-smtp-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
  cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = {
  to: 'lin@example.com',
  subject: '你火了！《回家的路》的传播量突破 1000 万。这是一个很长的标题，需要折成几段编码词',
  text: '第一行\n.第二行以点开头\n\nSee it on Paike: https://paike.example/submissions/1',
};

describe('SMTP mailer', () => {
  it('STARTTLS, then AUTH PLAIN, then one UTF-8 message that arrives intact', async () => {
    const server = await startFakeSmtp({ key, cert, starttls: true });
    try {
      const mailer = smtpMailer({
        url: `smtp://paike:${encodeURIComponent('p@ss word')}@localhost:${server.port}`,
        from: '拍客 <noreply@paike.example>',
        tls: { ca: cert },
      });
      await mailer.send(message);
      expect(server.received).toHaveLength(1);
      const got = server.received[0]!;
      expect(got).toMatchObject({ from: '<noreply@paike.example>', to: ['<lin@example.com>'], secure: true, user: 'paike' });
      const { headers, text } = parse(got.data);
      expect(headers.get('subject')).toBe(message.subject);
      expect(headers.get('from')).toBe('拍客 <noreply@paike.example>');
      expect(headers.get('to')).toBe('<lin@example.com>');
      expect(headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(headers.get('message-id')).toMatch(/^<[0-9a-f]{24}@paike\.example>$/);
      expect(text).toBe(message.text.replace(/\n/g, '\r\n'));
      // Every line within SMTP's limit.
      expect(got.data.split('\r\n').every((l) => l.length <= 998)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('implicit TLS (smtps://)', async () => {
    const server = await startFakeSmtp({ key, cert, implicitTls: true });
    try {
      await smtpMailer({
        url: `smtps://paike:${encodeURIComponent('p@ss word')}@localhost:${server.port}`,
        from: 'noreply@paike.example',
        tls: { ca: cert },
      }).send(message);
      expect(server.received[0]).toMatchObject({ secure: true, user: 'paike' });
    } finally {
      await server.close();
    }
  });

  it('classifies refusals: 4xx is worth retrying, 5xx is not, an unreachable server is', async () => {
    for (const [reply, retryable] of [
      ['451 4.3.0 try again later', true],
      ['550 5.1.1 no such mailbox', false],
    ] as const) {
      const server = await startFakeSmtp({ key, cert, starttls: true, rcptReply: reply });
      try {
        const err = await smtpMailer({ url: `smtp://localhost:${server.port}`, from: 'noreply@paike.example', tls: { ca: cert } })
          .send(message)
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MailSendError);
        expect(err).toMatchObject({ retryable, message: expect.stringContaining(reply.slice(0, 3)) });
      } finally {
        await server.close();
      }
    }
    const closed = await startFakeSmtp({ key, cert });
    await closed.close();
    await expect(smtpMailer({ url: `smtp://127.0.0.1:${closed.port}`, from: 'noreply@paike.example' }).send(message)).rejects.toMatchObject({
      retryable: true,
    });
  });

  it('wrong password: not retried, and the password is not in the error', async () => {
    const server = await startFakeSmtp({ key, cert, starttls: true });
    try {
      const err = (await smtpMailer({ url: `smtp://paike:hunter2@localhost:${server.port}`, from: 'noreply@paike.example', tls: { ca: cert } })
        .send(message)
        .catch((e: unknown) => e)) as MailSendError;
      expect(err).toMatchObject({ retryable: false });
      expect(err.message).toContain('535');
      expect(err.message).not.toContain('hunter2');
    } finally {
      await server.close();
    }
  });

  it('never sends a password in clear to a server that is not on this machine', async () => {
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!outside) return; // no non-loopback address on this machine
    // A server that offers no STARTTLS and would accept anything.
    const server = net.createServer((s) => {
      s.write('220 fake\r\n');
      s.on('data', () => s.write('250 fake\r\n'));
    });
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      await expect(smtpMailer({ url: `smtp://u:secret@${outside}:${port}`, from: 'noreply@paike.example' }).send(message)).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining('STARTTLS'),
      });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('refuses addresses that could inject headers, before connecting', async () => {
    const mailer = smtpMailer({ url: 'smtp://127.0.0.1:1', from: 'noreply@paike.example' });
    await expect(mailer.send({ ...message, to: 'a@b.c\r\nBcc: x@y.z' })).rejects.toMatchObject({ retryable: false });
    const lines: string[] = [];
    await consoleMailer((l) => lines.push(l)).send(message);
    expect(lines[0]).toContain('l***@example.com');
  });
});
