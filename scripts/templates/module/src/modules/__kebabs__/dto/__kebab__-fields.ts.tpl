import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  NotContains,
  ValidateIf,
} from 'class-validator';
import { TITLE_MAX_LENGTH } from '../entities/{{kebab}}.entity.js';

/** Longest body accepted. */
export const BODY_MAX_LENGTH = 10_000;

const trim = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value,
);

/** PostgreSQL cannot store NUL characters: refuse them with a 422 rather than fail with a 500. */
const NoNulCharacters = () =>
  NotContains('\u0000', { message: 'must not contain NUL characters' });

/**
 * The title: trimmed, not blank. Required on create; optional on update, where `null` is
 * validated (and refused) instead of skipped as `IsOptional` would, so it cannot be cleared.
 */
export const TitleField = (options: { required: boolean }) =>
  applyDecorators(
    options.required
      ? ApiProperty({ example: 'Read later', maxLength: TITLE_MAX_LENGTH })
      : ApiPropertyOptional({ example: 'Read later', maxLength: TITLE_MAX_LENGTH }),
    ...(options.required ? [] : [ValidateIf((_object, value) => value !== undefined)]),
    trim,
    IsString(),
    MinLength(1, { message: "can't be blank" }),
    MaxLength(TITLE_MAX_LENGTH),
    NoNulCharacters(),
  );

/** Free text, optional; `null` clears it on update. */
export const BodyField = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      nullable: true,
      example: 'Why this is worth keeping',
      maxLength: BODY_MAX_LENGTH,
    }),
    IsOptional(),
    IsString(),
    MaxLength(BODY_MAX_LENGTH),
    NoNulCharacters(),
  );
