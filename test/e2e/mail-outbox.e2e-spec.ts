import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { TransactionRunner } from '../../src/database/transaction-runner.js';
import { MailDispatcher, MailOutbox, OutboxMessage } from '../../src/modules/mail/index.js';
import { mailEnv, parseMail, TestSmtpServer } from '../support/mail.js';
import { startTestApp, startTestCluster, type TestApp } from '../support/test-app.js';

let sequence = 0;
/** Writes one message to the outbox in a transaction of the app, as a feature would. */
async function enqueue(testApp: TestApp, to: string, rollback = false): Promise<string> {
  sequence += 1;
  const subject = `Message ${sequence}`;
  const work = testApp.app.get(TransactionRunner).run(async (manager) => {
    await testApp.app.get(MailOutbox).enqueue(manager, {
      to,
      kind: 'test',
      subject,
      paragraphs: ['Hello <friend> & welcome.'],
      action: { label: 'Open', url: 'https://app.conduit.test/x?token=abc' },
      footer: 'Ignore this if it was not you.',
    });
    if (rollback) throw new Error('rolled back on purpose');
  });
  if (rollback) await expect(work).rejects.toThrow('rolled back on purpose');
  else await work;
  return subject;
}

const rows = (testApp: TestApp) =>
  testApp.dataSource.getRepository(OutboxMessage).find({ order: { id: 'ASC' } });

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('mail outbox and dispatcher', () => {
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterAll(() => smtp.close());

  describe('one instance with SMTP', () => {
    let testApp: TestApp;
    beforeAll(async () => {
      testApp = await startTestApp(mailEnv(smtp.url, { MAIL_POLL_INTERVAL_MS: '0' }));
    });
    afterAll(() => testApp.close());
    afterEach(() => {
      smtp.refuseNext = 0;
    });

    it('delivers a committed message over SMTP with text and HTML bodies, then blanks the stored bodies', async () => {
      const subject = await enqueue(testApp, 'first@example.com');
      const mail = await smtp.waitFor('first@example.com');
      expect(mail.subject).toBe(subject);
      expect(mail.headers.from).toBe('Conduit Test <no-reply@conduit.test>');
      expect(mail.headers.to).toBe('first@example.com');
      expect(mail.messageId).toMatch(/^<outbox-\d+\.\d+@conduit>$/);
      expect(mail.text).toContain('Hello <friend> & welcome.');
      expect(mail.text).toContain('Open: https://app.conduit.test/x?token=abc');
      expect(mail.html).toContain('Hello &lt;friend&gt; &amp; welcome.');
      expect(mail.html).toContain('href="https://app.conduit.test/x?token=abc"');
      await until(async () => (await rows(testApp)).at(-1)?.sentAt !== null);
      const row = (await rows(testApp)).at(-1)!;
      expect(row).toMatchObject({ attempts: 1, textBody: '', htmlBody: '', lastError: null });
    });

    it('sends nothing for a transaction that rolled back', async () => {
      await enqueue(testApp, 'rolled-back@example.com', true);
      await enqueue(testApp, 'after-rollback@example.com');
      await smtp.waitFor('after-rollback@example.com');
      expect(smtp.to('rolled-back@example.com')).toEqual([]);
    });

    it('retries with backoff while the server refuses, and delivers once it accepts', async () => {
      smtp.refuseNext = 2;
      const attemptsBefore = smtp.attempts;
      await enqueue(testApp, 'retry@example.com');
      const mail = await smtp.waitFor('retry@example.com');
      expect(smtp.attempts - attemptsBefore).toBe(3);
      expect(smtp.to('retry@example.com')).toEqual([mail]);
      await until(async () => (await rows(testApp)).at(-1)?.sentAt !== null);
      expect((await rows(testApp)).at(-1)).toMatchObject({ attempts: 3, lastError: null });
    });
  });

  it('keeps messages while the SMTP server is down and delivers them when it is back', async () => {
    const down = await TestSmtpServer.start();
    const port = Number(new URL(down.url).port);
    await down.close();
    const testApp = await startTestApp(
      mailEnv(`smtp://127.0.0.1:${port}`, {
        MAIL_RETRY_BASE_MS: '100',
        MAIL_POLL_INTERVAL_MS: '0',
      }),
    );
    try {
      const started = Date.now();
      await enqueue(testApp, 'patient@example.com');
      // The writer is never held up by delivery.
      expect(Date.now() - started).toBeLessThan(2000);
      await until(async () => ((await rows(testApp))[0]?.attempts ?? 0) >= 2);
      const pending = (await rows(testApp))[0];
      expect(pending.sentAt).toBeNull();
      expect(pending.failedAt).toBeNull();
      expect(pending.lastError).toMatch(/ECONNREFUSED|connect/i);

      const back = await TestSmtpServer.start(port);
      try {
        await back.waitFor('patient@example.com', 1, 15_000);
        expect(back.to('patient@example.com')).toHaveLength(1);
      } finally {
        await back.close();
      }
    } finally {
      await testApp.close();
    }
  });

  it('gives up after MAIL_MAX_ATTEMPTS and records the failure', async () => {
    const testApp = await startTestApp(
      mailEnv(smtp.url, { MAIL_MAX_ATTEMPTS: '2', MAIL_POLL_INTERVAL_MS: '0' }),
    );
    try {
      smtp.refuseNext = 5;
      await enqueue(testApp, 'doomed@example.com');
      await until(async () => (await rows(testApp))[0]?.failedAt !== null);
      expect((await rows(testApp))[0]).toMatchObject({ attempts: 2, sentAt: null });
      expect((await rows(testApp))[0].lastError).toMatch(/try again later/);
    } finally {
      smtp.refuseNext = 0;
      await testApp.close();
    }
  });

  it('delivers what a crashed instance committed but never sent, including an expired claim', async () => {
    // Instance 0 only writes (it "crashes" before delivering); instance 1 delivers.
    const cluster = await startTestCluster(2, mailEnv(smtp.url, { MAIL_POLL_INTERVAL_MS: '100' }), [
      { MAIL_DISPATCHER: 'false' },
    ]);
    try {
      const [writer, survivor] = cluster.apps;
      await enqueue(writer, 'orphan@example.com');
      await enqueue(writer, 'claimed-by-dead@example.com');
      await writer.dataSource.getRepository(OutboxMessage).update(
        { recipient: 'claimed-by-dead@example.com' },
        // A claim whose lease ran out: its instance died mid-delivery.
        { claimedBy: 'dead-instance', claimedUntil: new Date(Date.now() - 1000) },
      );
      await smtp.waitFor('orphan@example.com');
      await smtp.waitFor('claimed-by-dead@example.com');
      await until(async () => (await rows(survivor)).every((row) => row.sentAt !== null));
    } finally {
      await cluster.close();
    }
  });

  it('sends each message once when several instances dispatch at the same time', async () => {
    const cluster = await startTestCluster(3, mailEnv(smtp.url, { MAIL_POLL_INTERVAL_MS: '0' }), [
      { MAIL_DISPATCHER: 'false' },
    ]);
    try {
      const [writer, ...dispatchers] = cluster.apps;
      const recipients = Array.from({ length: 24 }, (_, index) => `many-${index}@example.com`);
      for (const to of recipients) await enqueue(writer, to);
      await Promise.all(
        dispatchers.flatMap((instance) => [
          instance.app.get(MailDispatcher).dispatchDue(),
          instance.app.get(MailDispatcher).dispatchDue(),
        ]),
      );
      await until(async () => (await rows(writer)).every((row) => row.sentAt !== null));
      for (const to of recipients) expect(smtp.to(to)).toHaveLength(1);
    } finally {
      await cluster.close();
    }
  });

  it('writes .eml files under MAIL_OUTBOX_DIR when SMTP_URL is not set', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'conduit-outbox-'));
    const testApp = await startTestApp({
      MAIL_DISPATCHER: 'true',
      MAIL_OUTBOX_DIR: directory,
      MAIL_POLL_INTERVAL_MS: '0',
    });
    try {
      const subject = await enqueue(testApp, 'newcomer@example.com');
      let files: string[] = [];
      await until(async () => (files = await readdir(directory)).length === 1);
      expect(files[0]).toMatch(/\.eml$/);
      const mail = parseMail(await readFile(join(directory, files[0]), 'utf8'));
      expect(mail.subject).toBe(subject);
      expect(mail.headers.to).toBe('newcomer@example.com');
      expect(mail.headers.from).toBe('Conduit <no-reply@conduit.localhost>');
      expect(mail.text).toContain('https://app.conduit.test/x?token=abc');
      expect(mail.html).toContain('href="https://app.conduit.test/x?token=abc"');
    } finally {
      await testApp.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
