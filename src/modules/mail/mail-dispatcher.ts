import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, type EntitySubscriberInterface, IsNull } from 'typeorm';
import { AppConfig } from '../../config/app.config.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import { OutboxMessage } from './entities/outbox-message.entity.js';
import { OUTBOX_WRITTEN } from './mail-outbox.js';
import { createMailTransport, type MailTransport } from './mail-transport.js';

const BATCH_SIZE = 10;
/** How long a claim holds; SMTP timeouts keep one batch well below it. */
const LEASE_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 60 * 60_000;

/**
 * Delivers the outbox: claims due messages (a lease per batch, `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL, so with several instances each message goes to one of them), sends them, and
 * marks each sent, or schedules a retry with exponential backoff. Runs right after a transaction
 * that wrote to the outbox commits, on retry timers and on a periodic sweep that picks up what
 * a crashed or non-dispatching instance left behind. Delivery is at least once: a crash after
 * the SMTP server accepted a message but before it was marked sent resends it when the lease
 * expires (the Message-ID stays the same, so receivers can tell).
 */
@Injectable()
export class MailDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailDispatcher.name);
  private transport: MailTransport | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private sweep: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly postgres: boolean;

  constructor(
    private readonly config: AppConfig,
    private readonly tx: TransactionRunner,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  onApplicationBootstrap(): void {
    const mail = this.config.mail;
    if (!mail.dispatcher) return;
    this.transport = createMailTransport(mail);
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: (event) => {
        const data = event.queryRunner.data as Record<string, unknown>;
        if (!data[OUTBOX_WRITTEN]) return;
        delete data[OUTBOX_WRITTEN];
        setImmediate(() => void this.dispatchDue());
      },
      afterTransactionRollback: (event) => {
        delete (event.queryRunner.data as Record<string, unknown>)[OUTBOX_WRITTEN];
      },
    };
    this.dataSource.subscribers.push(subscriber);
    if (mail.pollIntervalMs > 0) {
      this.sweep = setInterval(() => void this.dispatchDue(), mail.pollIntervalMs);
      this.sweep.unref();
    }
    this.logger.log(`mail delivered by ${this.transport.description}`);
    setImmediate(() => void this.dispatchDue());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweep);
    clearTimeout(this.retry);
    await this.running;
    this.transport?.close();
  }

  /**
   * Delivers every message that is due now. Concurrent calls share one run (and trigger one
   * more pass, for messages committed meanwhile). Never throws: failures are logged.
   */
  dispatchDue(): Promise<void> {
    if (this.stopped || !this.transport) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.deliverBatch()) === BATCH_SIZE);
        } while (this.again && !this.stopped);
      } catch (error) {
        this.logger.warn({ err: error }, 'mail dispatch failed; will retry');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Claims up to BATCH_SIZE due messages, sends them; returns how many were claimed. */
  private async deliverBatch(): Promise<number> {
    const claim = randomUUID();
    const now = new Date();
    const rows = await this.tx.run(async (manager) => {
      const due = manager
        .createQueryBuilder(OutboxMessage, 'due')
        .select('due.id')
        .where('due.sentAt IS NULL AND due.failedAt IS NULL AND due.nextAttemptAt <= :now')
        .andWhere(
          new Brackets((lease) =>
            lease.where('due.claimedUntil IS NULL').orWhere('due.claimedUntil < :now'),
          ),
        )
        .orderBy('due.id')
        .limit(BATCH_SIZE);
      if (this.postgres) due.setLock('pessimistic_write').setOnLocked('skip_locked');
      await manager
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ claimedBy: claim, claimedUntil: new Date(now.getTime() + LEASE_MS) })
        .where(`id IN (${due.getQuery()})`)
        // Checked again on the row itself: PostgreSQL re-evaluates it after waiting for a lock.
        .andWhere('sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < :now)')
        .setParameters({ now })
        .execute();
      return manager.find(OutboxMessage, { where: { claimedBy: claim }, order: { id: 'ASC' } });
    });
    for (const row of rows) await this.deliver(row, claim);
    return rows.length;
  }

  private async deliver(row: OutboxMessage, claim: string): Promise<void> {
    const transport = this.transport as MailTransport;
    try {
      await transport.send({
        messageId: `<outbox-${row.id}.${row.createdAt.getTime()}@conduit>`,
        to: row.recipient,
        subject: row.subject,
        text: row.textBody,
        html: row.htmlBody,
      });
    } catch (error) {
      await this.failed(row, claim, error);
      return;
    }
    await this.tx.run((manager) =>
      manager.update(
        OutboxMessage,
        { id: row.id, claimedBy: claim },
        // The bodies may hold single-use links: no reason to keep them once delivered.
        {
          sentAt: new Date(),
          attempts: row.attempts + 1,
          textBody: '',
          htmlBody: '',
          claimedUntil: null,
          lastError: null,
        },
      ),
    );
  }

  private async failed(row: OutboxMessage, claim: string, error: unknown): Promise<void> {
    const { maxAttempts, retryBaseMs } = this.config.mail;
    const attempts = row.attempts + 1;
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const gaveUp = attempts >= maxAttempts;
    const delay = Math.min(retryBaseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    const nextAttemptAt = new Date(Date.now() + delay);
    await this.tx.run((manager) =>
      manager.update(
        OutboxMessage,
        { id: row.id, claimedBy: claim, sentAt: IsNull() },
        {
          attempts,
          lastError: message,
          nextAttemptAt,
          failedAt: gaveUp ? new Date() : null,
          claimedBy: null,
          claimedUntil: null,
        },
      ),
    );
    if (gaveUp) {
      this.logger.error(
        { outboxId: row.id, attempts, err: error },
        'mail delivery failed for good; giving up',
      );
      return;
    }
    this.logger.warn({ outboxId: row.id, attempts, delayMs: delay }, 'mail delivery failed');
    this.scheduleRetry(delay);
  }

  private scheduleRetry(delay: number): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.dispatchDue(), delay + 10);
    this.retry.unref();
  }
}
