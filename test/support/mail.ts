import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the SMTP server received it, with the few parts tests read. */
export interface DeliveredMail {
  raw: string;
  /** SMTP envelope recipients (RCPT TO). */
  recipients: string[];
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

/** Settings that turn a test app's dispatcher on, pointed at `smtpUrl`. */
export function mailEnv(smtpUrl: string, extra: Record<string, string> = {}) {
  return {
    MAIL_DISPATCHER: 'true',
    SMTP_URL: smtpUrl,
    MAIL_FROM: 'Conduit Test <no-reply@conduit.test>',
    APP_URL: 'https://app.conduit.test',
    MAIL_RETRY_BASE_MS: '50',
    MAIL_POLL_INTERVAL_MS: '100',
    ...extra,
  };
}

/** Unfolds and reads the header block of a message or MIME part (names lower-cased). */
function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return { headers: parseHeaders(raw), body: '' };
  return {
    headers: parseHeaders(raw.slice(0, match.index)),
    body: raw.slice(match.index + match[0].length),
  };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable': {
      const input = body.replace(/=\r?\n/g, '');
      const bytes: number[] = [];
      for (let index = 0; index < input.length; index += 1) {
        const hex = input.slice(index + 1, index + 3);
        if (input[index] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
          bytes.push(parseInt(hex, 16));
          index += 2;
        } else bytes.push(...Buffer.from(input[index], 'utf8'));
      }
      return Buffer.from(bytes).toString('utf8');
    }
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** The text/plain and text/html parts of a (possibly multipart) message. */
function bodies(headers: Record<string, string>, body: string): { text: string; html: string } {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary || !/^multipart\//i.test(type)) {
    const decoded = decodeBody(body, headers['content-transfer-encoding']);
    return /^text\/html/i.test(type) ? { text: '', html: decoded } : { text: decoded, html: '' };
  }
  const result = { text: '', html: '' };
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const parsed = splitHead(part.replace(/^\r?\n/, ''));
    const inner = bodies(parsed.headers, parsed.body.replace(/\r?\n$/, ''));
    result.text ||= inner.text;
    result.html ||= inner.html;
  }
  return result;
}

/** Reads a raw RFC 5322 message (as much as the tests need; ASCII headers only). */
export function parseMail(raw: string, recipients: string[] = []): DeliveredMail {
  const { headers, body } = splitHead(raw);
  return {
    raw,
    recipients,
    headers,
    subject: headers.subject ?? '',
    messageId: headers['message-id'] ?? '',
    ...bodies(headers, body),
  };
}

/** The token of the first link to `path` (e.g. `/verify-email`) in the text body. */
export function linkToken(mail: DeliveredMail, path: string): string {
  const match = new RegExp(`https://app\\.conduit\\.test${path}\\?token=([A-Za-z0-9_-]+)`).exec(
    mail.text,
  );
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return match[1];
}

/** A real SMTP server in the test process: records what it is sent, can refuse on demand. */
export class TestSmtpServer {
  readonly delivered: DeliveredMail[] = [];
  /** Messages to refuse (with a temporary 451) before accepting again. */
  refuseNext = 0;
  /** Every DATA command seen, accepted or not. */
  attempts = 0;
  private server: SMTPServer;
  private port = 0;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.attempts += 1;
          if (this.refuseNext > 0) {
            this.refuseNext -= 1;
            const error = Object.assign(new Error('try again later'), { responseCode: 451 });
            callback(error);
            return;
          }
          const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          this.delivered.push(parseMail(Buffer.concat(chunks).toString('utf8'), recipients));
          callback();
        });
      },
    });
  }

  /** Listens on `port` (default: a free one), e.g. the port of a server that was stopped. */
  static async start(port = 0): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer();
    smtp.server.listen(port, '127.0.0.1');
    await once(smtp.server.server, 'listening');
    smtp.port = (smtp.server.server.address() as AddressInfo).port;
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages delivered to `address`, in order. */
  to(address: string): DeliveredMail[] {
    return this.delivered.filter((mail) => mail.recipients.includes(address.toLowerCase()));
  }

  /** Waits until `count` messages to `address` arrived (default 1) and returns the last. */
  async waitFor(address: string, count = 1, timeoutMs = 10_000): Promise<DeliveredMail> {
    const deadline = Date.now() + timeoutMs;
    while (this.to(address).length < count) {
      if (Date.now() > deadline)
        throw new Error(
          `expected ${count} message(s) to ${address}, got ${this.to(address).length}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.to(address)[count - 1];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
