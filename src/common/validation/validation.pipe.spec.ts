import { describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsOptional, IsString, MinLength, ValidateNested } from 'class-validator';
import { ValidationError } from '../errors/domain-errors.js';
import { createValidationPipe, flattenValidationErrors } from './validation.pipe.js';
import { WrappedBody } from './wrapped-body.decorator.js';

class ProfileFields {
  @IsEmail({}, { message: 'must be an email' }) email: string;
  @IsString() @MinLength(8, { message: 'must be at least 8 characters' }) password: string;
}

class SignUpDto {
  @WrappedBody(() => ProfileFields) user: ProfileFields;
}

class Address {
  @IsString() city: string;
}

class PagingQuery {
  @IsOptional() @Type(() => Number) @IsInt() limit?: number;
  @IsOptional() @ValidateNested() @Type(() => Address) address?: Address;
}

/** Runs the global pipe on a body and returns the field errors it raises (or the value). */
async function run(metatype: new () => object, value: unknown, type: 'body' | 'query' = 'body') {
  try {
    return { value: await createValidationPipe().transform(value, { type, metatype }) };
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { fields: (error as ValidationError).fields, status: (error as ValidationError).status };
  }
}

describe('global validation pipe', () => {
  it('passes a valid body through as a DTO instance', async () => {
    const { value } = await run(SignUpDto, {
      user: { email: 'jake@example.com', password: 'jakejake' },
    });
    expect(value).toBeInstanceOf(SignUpDto);
    expect((value as SignUpDto).user).toBeInstanceOf(ProfileFields);
  });

  it('raises a 422 ValidationError keyed by the leaf field names', async () => {
    const result = await run(SignUpDto, { user: { email: 'nope', password: 'short' } });
    expect(result.status).toBe(422);
    expect(result.fields).toEqual({
      email: ['must be an email'],
      password: ['must be at least 8 characters'],
    });
  });

  it('rejects unknown properties at any depth with "is not allowed"', async () => {
    const result = await run(SignUpDto, {
      user: { email: 'jake@example.com', password: 'jakejake', role: 'admin' },
      id: 3,
    });
    expect(result.fields).toEqual({ role: ['is not allowed'], id: ['is not allowed'] });
  });

  it('converts query strings to numbers', async () => {
    const { value } = await run(PagingQuery, { limit: '20' }, 'query');
    expect((value as PagingQuery).limit).toBe(20);
  });

  it('rejects a non-numeric query value keyed by the parameter', async () => {
    expect((await run(PagingQuery, { limit: 'ten' }, 'query')).fields).toEqual({
      limit: ['must be an integer number'],
    });
  });

  describe('@WrappedBody', () => {
    it.each([
      ['missing', {}, ["can't be blank"]],
      ['null', { user: null }, ["can't be blank"]],
      ['an array', { user: [] }, ['must be an object']],
      ['a string', { user: 'jake' }, ['must be an object']],
    ])('reports the wrapper when it is %s', async (_label, body, messages) => {
      expect((await run(SignUpDto, body)).fields).toEqual({ user: messages });
    });

    it('reports the wrapper when it is an array of objects', async () => {
      const fields = (await run(SignUpDto, { user: [{ email: 'jake@example.com' }] })).fields;
      expect(fields?.user).toEqual(['must be an object']);
    });
  });
});

describe('flattenValidationErrors', () => {
  it('collects messages of nested children under their own property', () => {
    expect(
      flattenValidationErrors([
        {
          property: 'address',
          children: [
            { property: 'city', constraints: { isString: 'city must be a string' }, children: [] },
          ],
        },
      ]),
    ).toEqual({ city: ['must be a string'] });
  });

  it('keeps every message of a field', () => {
    expect(
      flattenValidationErrors([
        {
          property: 'username',
          constraints: {
            minLength: 'username must be longer',
            matches: 'may contain only letters',
          },
        },
      ]),
    ).toEqual({ username: ['must be longer', 'may contain only letters'] });
  });

  it("drops class-validator's generic nested-object message when the field has its own", () => {
    expect(
      flattenValidationErrors([
        {
          property: 'user',
          constraints: {
            isDefined: "can't be blank",
            nestedValidation: 'nested property user must be either object or array',
          },
        },
      ]),
    ).toEqual({ user: ["can't be blank"] });
  });

  it('rewrites the whitelist message', () => {
    expect(
      flattenValidationErrors([
        {
          property: 'role',
          constraints: { whitelistValidation: 'property role should not exist' },
        },
      ]),
    ).toEqual({ role: ['is not allowed'] });
  });
});
