/** Public surface of the mail module (see eslint.config.js). */
export { MailModule } from './mail.module.js';
export { MailOutbox, type OutgoingMail } from './mail-outbox.js';
export { MailDispatcher } from './mail-dispatcher.js';
export { OutboxMessage } from './entities/outbox-message.entity.js';
