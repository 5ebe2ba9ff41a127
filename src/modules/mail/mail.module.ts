import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxMessage } from './entities/outbox-message.entity.js';
import { MailDispatcher } from './mail-dispatcher.js';
import { MailOutbox } from './mail-outbox.js';

/** Outgoing mail: the transactional outbox and its dispatcher. A leaf module. */
@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessage])],
  providers: [MailOutbox, MailDispatcher],
  exports: [MailOutbox, MailDispatcher],
})
export class MailModule {}
