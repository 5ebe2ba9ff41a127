import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { MAX_CURSOR_LENGTH } from './cursor-codec.js';
import { ListQueryDto } from './list-query.dto.js';

/** Runs the query string values through the same transform + validation as the global pipe. */
function check(query: Record<string, unknown>) {
  const dto = plainToInstance(ListQueryDto, query);
  const errors = Object.fromEntries(
    validateSync(dto).map((error) => [error.property, Object.values(error.constraints ?? {})]),
  );
  return { dto, errors };
}

describe('ListQueryDto', () => {
  it('converts integer strings to numbers', () => {
    const { dto, errors } = check({ limit: '10', offset: '0' });
    expect(errors).toEqual({});
    expect(dto).toMatchObject({ limit: 10, offset: 0 });
  });

  it('accepts an empty query (every parameter is optional)', () => {
    expect(check({}).errors).toEqual({});
  });

  it.each(['1.5', '1e3', '0x10', 'abc', '', ' 5', '5 ', 'Infinity'])(
    'rejects limit=%j instead of coercing it',
    (limit) => {
      expect(check({ limit }).errors).toEqual({
        limit: expect.arrayContaining([expect.stringMatching(/integer/)]),
      });
    },
  );

  it('rejects a limit below 1 (the maximum is the paginator’s, from configuration)', () => {
    expect(check({ limit: '0' }).errors.limit).toEqual(['limit must not be less than 1']);
    expect(check({ limit: '1000000' }).errors).toEqual({});
  });

  it('rejects a negative offset', () => {
    expect(check({ offset: '-1' }).errors.offset).toEqual(['offset must not be less than 0']);
  });

  it('rejects an offset beyond the safe integer range', () => {
    expect(check({ offset: '99999999999999999999' }).errors.offset).toEqual([
      expect.stringMatching(/must not be greater than/),
    ]);
  });

  it('rejects a repeated parameter (arrays are not coerced)', () => {
    const { errors } = check({ limit: ['1', '2'], sort: ['id', 'username'], cursor: ['a', 'b'] });
    expect(Object.keys(errors).sort()).toEqual(['cursor', 'limit', 'sort']);
  });

  it('rejects an over-long cursor or sort', () => {
    const { errors } = check({ cursor: 'a'.repeat(MAX_CURSOR_LENGTH + 1), sort: 'a'.repeat(201) });
    expect(Object.keys(errors).sort()).toEqual(['cursor', 'sort']);
  });
});
