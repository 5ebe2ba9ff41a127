import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { NoNulCharacters } from '../../../common/validation/no-nul-characters.js';

/** Field decorators shared by the registration and update DTOs: validation and docs at once. */
const trim = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value,
);

/**
 * Optional in an update, but `null` is validated (and rejected) rather than skipped like
 * `IsOptional` would: email, username and password cannot be cleared.
 */
const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

export const EmailField = (required = true) =>
  applyDecorators(
    required
      ? ApiProperty({ example: 'jake@jake.jake' })
      : ApiPropertyOptional({ example: 'jake@jake.jake' }),
    ...(required ? [] : [OptionalNotNull()]),
    trim,
    IsEmail({}, { message: 'must be an email' }),
    MaxLength(255),
  );

export const UsernameField = (required = true) =>
  applyDecorators(
    required ? ApiProperty({ example: 'jake' }) : ApiPropertyOptional({ example: 'jake' }),
    ...(required ? [] : [OptionalNotNull()]),
    trim,
    IsString(),
    MinLength(1, { message: "can't be blank" }),
    MaxLength(64),
    Matches(/^[A-Za-z0-9_.-]+$/, { message: 'may contain only letters, digits, "_", "." and "-"' }),
    // "." and ".." would make /api/profiles/.. a different path once normalised.
    Matches(/[^.]/, { message: 'cannot consist of dots only' }),
  );

/** An empty password in an update means "unchanged": settings forms always send the field. */
const emptyMeansUnchanged = Transform(({ value }: { value: unknown }) =>
  value === '' ? undefined : value,
);

export const PasswordField = (required = true) =>
  applyDecorators(
    required
      ? ApiProperty({ example: 'jakejake', minLength: 8 })
      : ApiPropertyOptional({
          minLength: 8,
          description: 'New password; an empty string leaves it unchanged',
        }),
    ...(required ? [] : [emptyMeansUnchanged, OptionalNotNull()]),
    IsString(),
    MinLength(8, { message: 'must be at least 8 characters' }),
    MaxLength(256),
  );

export const BioField = () =>
  applyDecorators(
    ApiPropertyOptional({ example: 'I work at statefarm', nullable: true, type: String }),
    IsOptional(),
    IsString(),
    MaxLength(10_000),
    NoNulCharacters(),
  );

export const ImageField = () =>
  applyDecorators(
    ApiPropertyOptional({
      example: 'https://api.realworld.io/images/smiley-cyrus.jpg',
      nullable: true,
      type: String,
    }),
    IsOptional(),
    ValidateIf((_object, value) => value !== ''),
    // Credentials in an image URL would be shown to every reader of the profile: refused.
    // Internal hosts are accepted: the server never fetches the URL (docs/security.md).
    IsUrl(
      { protocols: ['http', 'https'], require_protocol: true, disallow_auth: true },
      { message: 'must be an http(s) URL without credentials' },
    ),
    MaxLength(2048),
    NoNulCharacters(),
  );
