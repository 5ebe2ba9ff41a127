import fc from 'fast-check';
import type { Operation, QueryParameter, Schema } from './openapi.js';

/**
 * fast-check arbitraries for requests: schema-valid values, and the usual attacker inputs
 * (wrong types, missing or extra properties, huge, unicode and metacharacter strings,
 * malformed JSON). Values that depend on the server's state (a real slug, the fuzz user's
 * password…) are generated as {@link Known} placeholders and filled in just before sending.
 */

/** Names of the pools of real values the runner fills from resources it created. */
export type PoolName =
  | 'slug'
  | 'username'
  | 'commentId'
  | 'sessionId'
  /** Numeric user ids (admin routes `/api/users/{id}`). */
  | 'userId'
  | 'email'
  | 'password'
  | 'refreshToken'
  | 'tag'
  | 'cursor'
  /** `slug/id` of a comment, so both path parameters of a comment route match. */
  | 'commentOf'
  /** Single sign-on: configured provider ids, linked identity ids, one-time codes, redirects. */
  | 'provider'
  | 'identityId'
  | 'oidcCode'
  | 'redirectUri';

/** A placeholder for the `index`-th (modulo size) value of a pool, resolved at send time. */
export class Known {
  constructor(
    readonly pool: PoolName,
    readonly index: number,
  ) {}
}

export type BodyPlan =
  | { kind: 'json'; value: unknown; label: string }
  | { kind: 'raw'; text: string; contentType: string | undefined; label: string };

/** Query parameters in order (repeats allowed), values possibly placeholders. */
export type QueryPairs = Array<[string, string | Known]>;

/** One generated request, before placeholders are resolved. */
export interface RequestPlan {
  pathValues: Record<string, Known | string>;
  query: QueryPairs;
  body?: BodyPlan;
}

const known = (pool: PoolName) => fc.nat({ max: 1000 }).map((index) => new Known(pool, index));

/** Inputs that break naive parsers, queries, templates and renderers. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\uffff',
  '\u202e\u0644\u064e\u0631\u0652',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'Ω≈ç√∫˜µ≤≥÷',
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; SELECT pg_sleep(5)',
  '%',
  '%25',
  '%00',
  '%zz',
  '..',
  '../../../../etc/passwd',
  '..%2f..%2f',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${7*7}',
  '${jndi:ldap://x/a}',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  'true',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  '99999999999999999999999999',
  '[]',
  '{}',
  '\\',
  '\r\nX-Injected: 1',
  'a'.repeat(300),
  '𝕒'.repeat(200),
];

export const nastyString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.nat({ max: 70_000 }).map((length) => 'x'.repeat(length)) },
);

/** Any JSON value, nested a little or a lot. */
export const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, [], {}, ''),
  fc
    .integer({ min: 20, max: 400 })
    .map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
  // Own `__proto__`/`constructor` keys, as JSON.parse creates them (prototype pollution).
  fc.constant(
    JSON.parse('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"role":"admin"}}}'),
  ),
);

/** A value of the wrong kind for `schema`. */
export function invalidValue(schema: Schema): fc.Arbitrary<unknown> {
  const wrongType: fc.Arbitrary<unknown>[] = [fc.constantFrom(null, [], {}, true)];
  if (schema.type !== 'string') wrongType.push(nastyString);
  if (schema.type === 'string') wrongType.push(fc.oneof(fc.integer(), fc.double()));
  if (schema.type === 'integer' || schema.type === 'number')
    wrongType.push(fc.constantFrom(-1, 1.5, 1e300, -1e300, Number.MAX_SAFE_INTEGER + 2));
  return fc.oneof(...wrongType, nastyString, junk);
}

/** Hints by property name, so valid bodies also reach the business rules and succeed. */
function validByName(name: string, schema: Schema): fc.Arbitrary<unknown> | undefined {
  switch (name) {
    case 'email':
      return fc.oneof(
        known('email'),
        fc
          .tuple(fc.stringMatching(/^[a-z0-9]{3,12}$/), fc.nat())
          .map(([local, n]) => `${local}.${n}@example.com`),
      );
    case 'password':
      return fc.oneof(known('password'), fc.string({ minLength: 8, maxLength: 64 }));
    case 'currentPassword':
      // Mostly left out (the fuzz callers' logins are recent, so changes pass without it); a
      // known password otherwise, which is right when it happens to be the caller's.
      return fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: known('password') },
      );
    case 'username':
      return fc.oneof(known('username'), fc.stringMatching(/^[A-Za-z0-9_.-]{1,24}$/));
    case 'refreshToken':
      return fc.oneof(
        { weight: 3, arbitrary: known('refreshToken') },
        fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      );
    case 'image':
      return fc.oneof(fc.webUrl(), fc.constant(null));
    case 'cursor':
      return known('cursor');
    case 'code':
      return fc.oneof({ weight: 3, arbitrary: known('oidcCode') }, fc.string({ maxLength: 60 }));
    case 'redirect_uri':
    case 'redirectUri':
      return fc.oneof({ weight: 3, arbitrary: known('redirectUri') }, fc.webUrl());
    case 'sort':
      return fc.constantFrom('-createdAt', 'createdAt');
    case 'tag':
    case 'favorited':
    case 'author':
      return name === 'tag' ? known('tag') : known('username');
    case 'tagList':
      return fc.array(fc.oneof(known('tag'), fc.stringMatching(/^[a-z]{1,12}$/)), {
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    default:
      return undefined;
  }
}

/** A value `schema` accepts (as far as the document says). */
export function validValue(schema: Schema, name = ''): fc.Arbitrary<unknown> {
  const hinted = validByName(name, schema);
  if (hinted) return hinted;
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const value = validByType(schema);
  return schema.nullable ? fc.oneof(value, fc.constant(null)) : value;
}

function validByType(schema: Schema): fc.Arbitrary<unknown> {
  switch (schema.type) {
    case 'integer': {
      const min = schema.minimum ?? -1000;
      return fc.integer({ min, max: Math.min(schema.maximum ?? min + 50, min + 50) });
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(schema.items ?? {}), { maxLength: schema.maxItems ?? 5 });
    case 'object':
      return validObject(schema);
    default: {
      const minLength = schema.minLength ?? 1;
      const maxLength = Math.min(schema.maxLength ?? 60, minLength + 60);
      const text = fc.string({ unit: 'grapheme', minLength, maxLength });
      return typeof schema.example === 'string' && schema.example.length >= minLength
        ? fc.oneof(fc.constant(schema.example), text)
        : text;
    }
  }
}

function validObject(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, validValue(property, name)]),
  );
  const record = fc.record(model, { requiredKeys: schema.required ?? [] }) as fc.Arbitrary<
    Record<string, unknown>
  >;
  if (!('email' in properties && 'password' in properties)) return record;
  // The email and password of one real account (the pools are kept aligned): logins succeed.
  const account = fc.tuple(record, fc.nat({ max: 1000 })).map(([value, index]) => ({
    ...value,
    email: new Known('email', index),
    password: new Known('password', index),
  }));
  return fc.oneof(record, account);
}

/** Paths (arrays of keys) of every property inside a JSON object. */
function propertyPaths(value: unknown, prefix: string[] = []): string[][] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    [...prefix, key],
    ...propertyPaths(inner, [...prefix, key]),
  ]);
}

function withAt(value: unknown, path: string[], replace: (old: unknown) => unknown): unknown {
  const copy = structuredClone(value) as Record<string, any>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  const last = path[path.length - 1];
  const replaced = replace(target[last]);
  if (replaced === REMOVE) delete target[last];
  else target[last] = replaced;
  return copy;
}
const REMOVE = Symbol('remove');

const EXTRA_KEYS = [
  'role',
  'id',
  'passwordHash',
  'isAdmin',
  'author',
  'createdAt',
  'x',
  '__proto__',
];

/** Valid bodies and the many ways of getting one wrong. */
export function bodyPlan(schema: Schema): fc.Arbitrary<BodyPlan> {
  const valid = validObject(schema);
  const json = (label: string) => (value: unknown) => ({ kind: 'json' as const, value, label });
  return fc.oneof(
    { weight: 8, arbitrary: valid.map(json('valid')) },
    {
      weight: 2,
      arbitrary: valid.chain((value) => {
        const paths = propertyPaths(value);
        if (paths.length === 0) return fc.constant(json('valid')(value));
        return fc
          .constantFrom(...paths)
          .map((path) => json('missing property')(withAt(value, path, () => REMOVE)));
      }),
    },
    {
      weight: 3,
      arbitrary: valid.chain((value) => {
        const paths = propertyPaths(value);
        if (paths.length === 0) return fc.constant(json('valid')(value));
        return fc
          .tuple(fc.constantFrom(...paths), invalidValue({}))
          .map(([path, wrong]) => json('wrong value')(withAt(value, path, () => wrong)));
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...EXTRA_KEYS), junk, fc.boolean())
        .map(([value, key, extra, inner]) => {
          const copy = structuredClone(value) as Record<string, any>;
          const wrapper = Object.keys(copy)[0];
          const target =
            inner && wrapper && typeof copy[wrapper] === 'object' ? copy[wrapper] : copy;
          Object.defineProperty(target, key, { value: extra, enumerable: true });
          return json('extra property')(copy);
        }),
    },
    {
      weight: 1,
      arbitrary: valid.map((value) => json('unwrapped')(Object.values(value)[0] ?? value)),
    },
    { weight: 2, arbitrary: junk.map(json('junk body')) },
    { weight: 2, arbitrary: rawBody },
  );
}

/** Bytes that are not the JSON the API expects, or JSON with the wrong media type. */
export const rawBody: fc.Arbitrary<BodyPlan> = fc.oneof(
  fc
    .constantFrom(
      '{',
      '{"user":',
      '{"user": {"email": "a@b.c", "password": "fuzz-raw-password-1"',
      "{'user': 1}",
      '{"a":1}garbage',
      'null',
      '',
      '\u0000',
      '{"__proto__": {"role": "admin"}}',
      '{"constructor": {"prototype": {"role": "admin"}}}',
      '['.repeat(5000),
      '{"a":"\\ud800"}',
      '{"a":"\\u0000"}',
      '1e99999',
    )
    .map((text) => ({
      kind: 'raw' as const,
      text,
      contentType: 'application/json',
      label: 'malformed json',
    })),
  fc
    .tuple(
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=utf-16',
        'application/JSON',
        undefined,
      ),
      fc.constantFrom('{"user":{}}', 'user[email]=a@b.c', '<user/>', '--x--'),
    )
    .map(([contentType, text]) => ({
      kind: 'raw' as const,
      text,
      contentType,
      label: 'media type',
    })),
);

/** Query strings: valid, invalid, repeated and unknown parameters. */
export function queryPlan(parameters: QueryParameter[]): fc.Arbitrary<QueryPairs> {
  const one = (parameter: QueryParameter) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<QueryPairs>([]) },
      {
        weight: 3,
        arbitrary: validValue(parameter.schema, parameter.name).map((value): QueryPairs => [
          [parameter.name, value instanceof Known ? value : String(value)],
        ]),
      },
      {
        weight: 2,
        arbitrary: fc
          .oneof(nastyString, fc.constantFrom('-1', '0', '1.5', '1e3', 'abc', '100000000000'))
          .map((value): QueryPairs => [[parameter.name, value]]),
      },
      {
        weight: 1,
        arbitrary: fc
          .array(fc.constantFrom('1', 'a', ''), { minLength: 2, maxLength: 3 })
          .map((values) => values.map((value): [string, string] => [parameter.name, value])),
      },
    );
  const extra = fc.oneof(
    { weight: 5, arbitrary: fc.constant<QueryPairs>([]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('__proto__[x]', 'unknown', 'limit[]', 'a'.repeat(200)), nastyString)
        .map(([name, value]): QueryPairs => [[name, value]]),
    },
  );
  const dirty = fc
    .tuple(fc.tuple(...parameters.map(one)), extra)
    .map(([values, more]) => [...values.flat(), ...more]);
  // Only valid values, and never offset with cursor: these reach the query itself.
  const clean = fc
    .tuple(
      ...parameters.map((parameter) =>
        fc.option(validValue(parameter.schema, parameter.name), { freq: 2 }),
      ),
    )
    .map((values) => {
      const pairs = parameters
        .map((parameter, index): [string, unknown] => [parameter.name, values[index]])
        .filter(([, value]) => value !== null);
      const hasCursor = pairs.some(([name]) => name === 'cursor');
      return pairs
        .filter(([name]) => !(hasCursor && (name === 'offset' || name === 'sort')))
        .map(([name, value]): [string, string | Known] => [
          name,
          value instanceof Known ? value : String(value),
        ]);
    });
  return fc.oneof(clean, dirty);
}

/** Pool of real values for a path parameter of `path`. */
export function poolFor(path: string, name: string): PoolName {
  if (name === 'slug') return 'slug';
  if (name === 'username') return 'username';
  if (name === 'provider') return 'provider';
  if (path.includes('/sessions/')) return 'sessionId';
  if (path.includes('/identities/')) return 'identityId';
  if (path.includes('/comments/')) return 'commentId';
  if (path.startsWith('/api/users/')) return 'userId';
  throw new Error(`no pool of real values for {${name}} in ${path}`);
}

/** Percent-encodes every UTF-8 byte that is not unreserved (lone surrogates included). */
export function encodeSegment(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) && byte < 0x80
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Path segments an attacker would try instead of a real id. */
export const garbageSegment = fc.oneof(
  nastyString.map((value) => encodeSegment(value.slice(0, 2000)) || '%20'),
  fc.constantFrom('%', '%zz', '..%2F..%2Fetc', '0', '-1', '1.5', '99999999999999999999', '%00'),
);

/** A whole request for `operation`, apart from who sends it. */
export function requestPlan(operation: Operation): fc.Arbitrary<RequestPlan> {
  const pathValues = fc.record(
    Object.fromEntries(
      operation.pathParams.map((name) => [
        name,
        fc.oneof(
          { weight: 3, arbitrary: known(poolFor(operation.path, name)) },
          ...(name === 'id' && operation.path.includes('/comments/')
            ? [{ weight: 3, arbitrary: known('commentOf') }]
            : []),
          { weight: 1, arbitrary: garbageSegment },
        ),
      ]),
    ),
  ) as fc.Arbitrary<Record<string, Known | string>>;
  const canHaveBody = operation.method !== 'GET';
  const body: fc.Arbitrary<BodyPlan | undefined> = operation.body
    ? bodyPlan(operation.body)
    : canHaveBody
      ? fc.oneof(
          { weight: 6, arbitrary: fc.constant(undefined) },
          {
            weight: 1,
            arbitrary: junk.map((value) => ({
              kind: 'json' as const,
              value,
              label: 'unexpected body',
            })),
          },
          { weight: 1, arbitrary: rawBody },
        )
      : fc.constant(undefined);
  return fc.record({ pathValues, query: queryPlan(operation.query), body });
}
