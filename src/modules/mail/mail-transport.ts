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
 * A nodemailer transporter made with its first message: nodemailer (about 5 MiB of heap) is
 * loaded then, not at start-up, as most instances send mail rarely and many never.
 */
class LazyTransporter {
  private static nodemailer?: Promise<typeof import('nodemailer')>;
  private transporter?: Promise<Transporter>;

  constructor(private readonly options: object) {}

  get(): Promise<Transporter> {
    LazyTransporter.nodemailer ??= import('nodemailer');
    this.transporter ??= LazyTransporter.nodemailer.then((nodemailer) =>
      nodemailer.createTransport(this.options as never),
    );
    return this.transporter;
  }

  close(): void {
    // Nothing to close if nodemailer never loaded (or failed to: each send reported that).
    void this.transporter?.then(
      (transporter) => transporter.close(),
      () => undefined,
    );
  }
}

/** Bounded SMTP waits, so a dead server fails an attempt instead of outliving its lease. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** Nodemailer over SMTP_URL. */
class SmtpMailTransport implements MailTransport {
  readonly description: string;
  private readonly transporter: LazyTransporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    const parsed = new URL(url);
    this.description = `smtp ${parsed.protocol}//${parsed.host}`;
    // A small pool: a batch reuses connections instead of a handshake per message.
    this.transporter = new LazyTransporter({
      url,
      pool: true,
      maxConnections: 2,
      ...SMTP_TIMEOUTS,
    });
  }

  async send(message: MailEnvelope): Promise<void> {
    await (await this.transporter.get()).sendMail({ from: this.from, ...message });
  }

  close(): void {
    this.transporter.close();
  }
}

/** Without SMTP_URL: each message becomes an .eml file a developer can open (and click). */
class FileMailTransport implements MailTransport {
  readonly description: string;
  private readonly composer = new LazyTransporter({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });

  constructor(
    private readonly directory: string,
    private readonly from: string,
  ) {
    this.description = `files in ${directory}`;
  }

  async send(message: MailEnvelope): Promise<void> {
    const info = await (await this.composer.get()).sendMail({ from: this.from, ...message });
    await mkdir(this.directory, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const id = message.messageId.replace(/[^A-Za-z0-9.-]/g, '');
    await writeFile(join(this.directory, `${stamp}-${id}.eml`), info.message as Buffer);
  }

  close(): void {
    this.composer.close();
  }
}

export function createMailTransport(config: AppConfig['mail']): MailTransport {
  return config.smtpUrl
    ? new SmtpMailTransport(config.smtpUrl, config.from)
    : new FileMailTransport(config.outboxDir, config.from);
}
