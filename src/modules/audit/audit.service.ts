import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import type { RequestOrigin } from '../../common/http/request-origin.js';
import type { ListDefinition, Page } from '../../common/pagination/list-definition.js';
import { Paginator } from '../../common/pagination/paginator.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import type { AuditEventType } from './audit-event-type.js';
import type { ListAuditEventsQuery } from './dto/list-audit-events.query.js';
import { AuditEvent } from './entities/audit-event.entity.js';

/** What a caller records; ids only, never an email, password or token. */
export interface AuditRecord {
  event: AuditEventType;
  actorId?: number | null;
  targetId?: number | null;
  origin?: RequestOrigin;
  details?: Record<string, string | number | boolean | null>;
}

const AUDIT_LIST: ListDefinition<AuditEvent> = {
  name: 'audit-events',
  defaultSort: '-createdAt',
  sortable: {
    createdAt: { column: 'event.createdAt', type: 'date' },
    id: { column: 'event.id', type: 'number' },
  },
  tieBreaker: { column: 'event.id' },
};

/** The append-only audit trail: records events and lists them for administrators. */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly paginator: Paginator,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * Appends an event: inside the caller's transaction when given one (it commits or rolls back
   * with the change it describes), otherwise in a transaction of its own.
   */
  async record(record: AuditRecord, manager?: EntityManager): Promise<void> {
    const row = {
      event: record.event,
      actorId: record.actorId ?? null,
      targetId: record.targetId ?? null,
      ip: record.origin?.ip?.slice(0, 64) ?? null,
      userAgent: record.origin?.userAgent?.slice(0, 512) ?? null,
      requestId: record.origin?.requestId?.slice(0, 128) ?? null,
      details: record.details ? JSON.stringify(record.details) : null,
      createdAt: new Date(),
    };
    if (manager) await manager.insert(AuditEvent, row);
    else await this.tx.run((inner) => inner.insert(AuditEvent, row));
  }

  list(query: ListAuditEventsQuery): Promise<Page<AuditEvent>> {
    const builder = this.events.createQueryBuilder('event');
    if (query.actorId !== undefined)
      builder.andWhere('event.actorId = :actorId', { actorId: query.actorId });
    if (query.targetId !== undefined)
      builder.andWhere('event.targetId = :targetId', { targetId: query.targetId });
    if (query.event !== undefined) builder.andWhere('event.event = :event', { event: query.event });
    if (query.from !== undefined)
      builder.andWhere('event.createdAt >= :from', { from: new Date(query.from) });
    if (query.to !== undefined)
      builder.andWhere('event.createdAt < :to', { to: new Date(query.to) });
    return this.paginator.paginate(builder, query, AUDIT_LIST);
  }
}
