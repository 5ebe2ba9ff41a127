import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { type ModuleRef, Reflector } from '@nestjs/core';
import { httpContext } from '../../../test/support/execution-context.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors/domain-errors.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { OwnedBy, OwnershipGuard, type OwnershipPolicy } from './ownership.guard.js';

const OWNERS: Record<string, number> = { 'note-1': 7 };

@Injectable()
class NoteOwnershipPolicy implements OwnershipPolicy {
  readonly resource = 'note';
  lookups: Array<Record<string, string>> = [];
  async findOwnerId(params: Record<string, string>) {
    this.lookups.push(params);
    return OWNERS[params.id];
  }
}

class NotesController {
  @OwnedBy(NoteOwnershipPolicy) remove() {}
}

const request = (id: string, userId?: number) => ({
  params: { id },
  user:
    userId === undefined
      ? undefined
      : ({ id: userId, role: 'user', sessionId: 's' } as AuthenticatedUser),
});

describe('OwnershipGuard', () => {
  const policy = new NoteOwnershipPolicy();
  const moduleRef = { get: () => policy } as unknown as ModuleRef;
  const guard = new OwnershipGuard(new Reflector(), moduleRef);
  const check = (id: string, userId?: number) =>
    guard.canActivate(httpContext(NotesController, 'remove', request(id, userId)));

  it('allows the owner of the resource', async () => {
    await expect(check('note-1', 7)).resolves.toBe(true);
    expect(policy.lookups.at(-1)).toEqual({ id: 'note-1' });
  });

  it('throws ForbiddenError for another user', async () => {
    await expect(check('note-1', 8)).rejects.toThrow(ForbiddenError);
    await expect(check('note-1', 8)).rejects.toThrow('only the owner may change this note');
  });

  it('throws NotFoundError naming the resource and key when it does not exist', async () => {
    await expect(check('note-404', 7)).rejects.toThrow(NotFoundError);
    await expect(check('note-404', 7)).rejects.toThrow('note "note-404" not found');
  });

  it('throws UnauthorizedError without looking anything up for anonymous callers', async () => {
    const lookups = policy.lookups.length;
    await expect(check('note-1')).rejects.toThrow(UnauthorizedError);
    expect(policy.lookups).toHaveLength(lookups);
  });
});
