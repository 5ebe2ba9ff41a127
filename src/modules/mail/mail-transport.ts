import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import type { AppConfig } from '../../config/app.config.js';

/** One message as the dispatcher hands it over. */
export interface MailEnvelope {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Delivers one message or throws; implementations: SMTP, or .eml files. */
export interface MailTransport {
  readonly description: string;
  send(message: MailEnvelope): Promise<void>;
  close(): void;
}

/**
 * nodemailer (about 5 MiB of heap) is loaded with the first message, not at start-up: most
 * instances send mail rarely, many never.
 */
let nodemailer: Promise<typeof import('nodemailer')> | undefined;
async function createTransport(options: object): Promise<Transporter> {
  nodemailer ??= import('nodemailer');
  return (await nodemailer).createTransport(options as never);
}

/** Bounded SMTP waits, so a dead server fails an attempt instead of outliving its lease. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** Nodemailer over SMTP_URL. */
class SmtpMailTransport implements MailTransport {
  readonly description: string;
  private transporter?: Promise<Transporter>;

  constructor(
    private readonly url: string,
    private readonly from: string,
  ) {
    const parsed = new URL(url);
    this.description = `smtp ${parsed.protocol}//${parsed.host}`;
  }

  async send(message: MailEnvelope): Promise<void> {
    // A small pool: a batch reuses connections instead of a handshake per message.
    this.transporter ??= createTransport({
      url: this.url,
      pool: true,
      maxConnections: 2,
      ...SMTP_TIMEOUTS,
    });
    await (await this.transporter).sendMail({ from: this.from, ...message });
  }

  close(): void {
    // Nothing to close if nodemailer never loaded (or failed to: each send reported that).
    void this.transporter?.then(
      (transporter) => transporter.close(),
      () => undefined,
    );
  }
}

/** Without SMTP_URL: each message becomes an .eml file a developer can open (and click). */
class FileMailTransport implements MailTransport {
  readonly description: string;
  private composer?: Promise<Transporter>;

  constructor(
    private readonly directory: string,
    private readonly from: string,
  ) {
    this.description = `files in ${directory}`;
  }

  async send(message: MailEnvelope): Promise<void> {
    this.composer ??= createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await (await this.composer).sendMail({ from: this.from, ...message });
    await mkdir(this.directory, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const id = message.messageId.replace(/[^A-Za-z0-9.-]/g, '');
    await writeFile(join(this.directory, `${stamp}-${id}.eml`), info.message as Buffer);
  }

  close(): void {
    void this.composer?.then(
      (composer) => composer.close(),
      () => undefined,
    );
  }
}

export function createMailTransport(config: AppConfig['mail']): MailTransport {
  return config.smtpUrl
    ? new SmtpMailTransport(config.smtpUrl, config.from)
    : new FileMailTransport(config.outboxDir, config.from);
}
