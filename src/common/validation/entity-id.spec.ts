import { describe, expect, it } from '@jest/globals';
import { NotFoundError } from '../errors/domain-errors.js';
import { EntityIdPipe, MAX_ENTITY_ID, parseEntityId } from './entity-id.js';

describe('parseEntityId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['007', 7],
    [String(MAX_ENTITY_ID), MAX_ENTITY_ID],
  ])('accepts %j as %d', (value, id) => {
    expect(parseEntityId(value)).toBe(id);
  });

  it.each([
    '0',
    '2147483648',
    '99999999999',
    '9007199254740993',
    '-1',
    '+1',
    '1e3',
    '0x10',
    '1.0',
    ' 1',
    '',
    'abc',
  ])('refuses %j', (value) => {
    expect(parseEntityId(value)).toBeUndefined();
  });

  it('judges a number (as the global pipe converts it) by its value', () => {
    expect(parseEntityId(5)).toBe(5);
    expect(parseEntityId(2147483648)).toBeUndefined();
    expect(parseEntityId(1.5)).toBeUndefined();
    expect(parseEntityId(Number.NaN)).toBeUndefined();
  });

  it('refuses what is neither a string nor a number', () => {
    expect(parseEntityId(['1'])).toBeUndefined();
    expect(parseEntityId(undefined)).toBeUndefined();
  });
});

describe('EntityIdPipe', () => {
  it('answers 404 for the named resource when the id cannot exist', () => {
    const pipe = new EntityIdPipe('comment');
    expect(pipe.transform('12')).toBe(12);
    expect(() => pipe.transform('2147483648')).toThrow(NotFoundError);
    expect(() => pipe.transform('2147483648')).toThrow('comment "2147483648" not found');
  });
});
