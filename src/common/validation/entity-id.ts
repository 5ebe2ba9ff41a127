import { Injectable, Param, type PipeTransform } from '@nestjs/common';
import { NotFoundError } from '../errors/domain-errors.js';

/**
 * Largest id a row can have: ids are `integer` columns, 32-bit signed on PostgreSQL, which
 * fails a query comparing one with a larger number (22003 "out of range") instead of finding
 * nothing. SQLite would accept it, so checking here gives both databases the same 404.
 */
export const MAX_ENTITY_ID = 2_147_483_647;

/**
 * The id a path or query value names, or undefined when it cannot name a row: anything but
 * plain decimal digits (no sign, exponent, spaces or leading `+`), zero, or above
 * {@link MAX_ENTITY_ID}. Ownership policies, which run before pipes, use it directly. A number
 * (what the global ValidationPipe makes of a `number` parameter) is judged by its value.
 */
export function parseEntityId(value: unknown): number | undefined {
  if (typeof value === 'number') return parseEntityId(Number.isInteger(value) ? String(value) : '');
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value)) return undefined;
  const id = Number(value);
  return id >= 1 && id <= MAX_ENTITY_ID ? id : undefined;
}

/** Pipe behind {@link EntityIdParam}: a value that cannot name a row is a 404 for `resource`. */
@Injectable()
export class EntityIdPipe implements PipeTransform<unknown, number> {
  constructor(private readonly resource: string) {}

  transform(value: unknown): number {
    const id = parseEntityId(value);
    if (id === undefined) throw new NotFoundError(this.resource, String(value).slice(0, 32));
    return id;
  }
}

/**
 * A numeric row id from the path: `@EntityIdParam('id', 'comment') id: number`. Out of range
 * or not a number → 404 for `resource`, the same answer as a row that does not exist, on
 * both databases (never a 500 from PostgreSQL's integer range).
 */
export const EntityIdParam = (name: string, resource: string) =>
  Param(name, new EntityIdPipe(resource));
