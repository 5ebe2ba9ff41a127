import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboxMessage } from './entities/outbox-message.entity.js';
import { type MailContent, renderMail } from './mail-layout.js';

/** Marks a transaction that wrote to the outbox, so its commit wakes the dispatcher up. */
export const OUTBOX_WRITTEN = 'mail:outboxWritten';

/** A message to send, as features describe it. */
export interface OutgoingMail extends MailContent {
  to: string;
  /** What the message is about, e.g. `password_reset`. */
  kind: string;
}

/** Writes messages to the outbox inside the caller's transaction; delivery happens later. */
@Injectable()
export class MailOutbox {
  async enqueue(manager: EntityManager, mail: OutgoingMail): Promise<void> {
    const { text, html } = renderMail(mail);
    await manager.insert(OutboxMessage, {
      kind: mail.kind,
      recipient: mail.to,
      subject: mail.subject,
      textBody: text,
      htmlBody: html,
      attempts: 0,
      nextAttemptAt: new Date(),
      claimedBy: null,
      claimedUntil: null,
      sentAt: null,
      failedAt: null,
      lastError: null,
    });
    const data = manager.queryRunner?.data as Record<string, unknown> | undefined;
    if (data) data[OUTBOX_WRITTEN] = true;
  }

  /** Removes every message to the address, sent or not (account deletion: personal data). */
  async forget(manager: EntityManager, address: string): Promise<void> {
    await manager.delete(OutboxMessage, { recipient: address });
  }
}
