import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  bodyPlan,
  encodeSegment,
  Known,
  queryPlan,
  requestPlan,
  validValue,
} from './generators.js';
import type { Operation, Schema } from './openapi.js';

const fields: Schema = {
  type: 'object',
  properties: {
    title: { type: 'string', minLength: 3 },
    tagList: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    count: { type: 'integer', minimum: 1, maximum: 5 },
  },
  required: ['title'],
};
const body: Schema = { type: 'object', properties: { article: fields }, required: ['article'] };

describe('fuzz generators', () => {
  it('generates values the schema accepts', () => {
    fc.assert(
      fc.property(validValue(fields), (value: any) => {
        expect(typeof value.title).toBe('string');
        expect([...value.title].length).toBeGreaterThanOrEqual(3);
        if (value.count !== undefined) expect(value.count).toBeGreaterThanOrEqual(1);
        if (value.count !== undefined) expect(value.count).toBeLessThanOrEqual(5);
        if (value.tagList !== undefined) expect(value.tagList.length).toBeLessThanOrEqual(2);
      }),
    );
  });

  it('generates valid bodies and each kind of broken one', () => {
    const labels = new Set(
      fc.sample(bodyPlan(body), { numRuns: 500, seed: 1 }).map((p) => p.label),
    );
    expect([...labels].sort()).toEqual(
      [
        'extra property',
        'junk body',
        'malformed json',
        'media type',
        'missing property',
        'unwrapped',
        'valid',
        'wrong value',
      ].sort(),
    );
  });

  it('keeps login email and password of one account together', () => {
    const login: Schema = {
      type: 'object',
      properties: { email: { type: 'string' }, password: { type: 'string' } },
      required: ['email', 'password'],
    };
    const aligned = fc
      .sample(validValue(login), { numRuns: 200, seed: 2 })
      .filter((value: any) => value.email instanceof Known && value.password instanceof Known);
    expect(aligned.length).toBeGreaterThan(0);
    expect(aligned.some((value: any) => value.email.index === value.password.index)).toBe(true);
  });

  it('sends query parameters valid, invalid, repeated and unknown', () => {
    const samples = fc.sample(
      queryPlan([{ name: 'limit', required: false, schema: { type: 'integer', minimum: 1 } }]),
      { numRuns: 300, seed: 3 },
    );
    const names = samples.flat().map(([name]) => name);
    expect(names).toContain('limit');
    expect(names.some((name) => name !== 'limit')).toBe(true);
    expect(samples.some((pairs) => pairs.filter(([name]) => name === 'limit').length > 1)).toBe(
      true,
    );
  });

  it('fills path parameters from real values or garbage, and pairs comment ids with slugs', () => {
    const operation: Operation = {
      key: 'DELETE /api/articles/{slug}/comments/{id}',
      method: 'DELETE',
      path: '/api/articles/{slug}/comments/{id}',
      pathParams: ['slug', 'id'],
      undeclaredPathParams: [],
      query: [],
      access: 'required',
      roles: [],
    };
    const ids = fc
      .sample(requestPlan(operation), { numRuns: 300, seed: 4 })
      .map((p) => p.pathValues.id);
    const pools = new Set(ids.filter((id) => id instanceof Known).map((id) => (id as Known).pool));
    expect([...pools].sort()).toEqual(['commentId', 'commentOf']);
    expect(ids.some((id) => typeof id === 'string')).toBe(true);
  });
});

describe('encodeSegment', () => {
  it('percent-encodes what encodeURIComponent would, and lone surrogates too', () => {
    expect(encodeSegment('a b/é')).toBe(encodeURIComponent('a b/é'));
    expect(encodeSegment('\ud800')).toBe('%EF%BF%BD');
  });
});
