import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { NoNulCharacters } from '../../../common/validation/no-nul-characters.js';
import { hasInvisibleCharacters, normalizeTag } from '../../tags/index.js';
import { ReadOnlyEcho } from '../../../common/validation/read-only-echo.decorator.js';

const trim = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value,
);

/** A required-or-optional trimmed text field that may not be blank. */
export const TextField = (options: { required: boolean; max: number; example: string }) =>
  applyDecorators(
    options.required
      ? ApiProperty({ example: options.example })
      : ApiPropertyOptional({ example: options.example }),
    ...(options.required ? [] : [IsOptional()]),
    trim,
    IsString(),
    MinLength(1, { message: "can't be blank" }),
    MaxLength(options.max),
    NoNulCharacters(),
  );

export const MAX_TAGS = 20;

/** Normalises a tag as stored (see normalizeTag); anything but a string is left to validation. */
export const NormalizedTag = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeTag(value) : value,
  );

/** Refuses invisible and bidirectional-control characters (see hasInvisibleCharacters). */
export const NoInvisibleCharacters = (options: { each?: boolean } = {}) =>
  ValidateBy(
    {
      name: 'noInvisibleCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasInvisibleCharacters(value),
        defaultMessage: () => 'must not contain invisible or bidirectional control characters',
      },
    },
    options,
  );

/**
 * Tag list: normalised (NFKC, trimmed, case-folded: "Dragons" and "ｄｒａｇｏｎｓ" are the tag
 * "dragons"), de-duplicated; stored and returned sorted.
 */
export const TagListField = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: [String],
      example: ['dragons', 'training'],
      maxItems: MAX_TAGS,
      description:
        'Normalised to Unicode NFKC, trimmed and lower-cased (case-folded); no invisible or ' +
        'bidirectional control characters',
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      Array.isArray(value)
        ? [
            ...new Set(
              value.map((tag: unknown) => (typeof tag === 'string' ? normalizeTag(tag) : tag)),
            ),
          ]
        : value,
    ),
    IsArray(),
    ArrayMaxSize(MAX_TAGS),
    IsString({ each: true }),
    MinLength(1, { each: true, message: "can't contain blank tags" }),
    MaxLength(64, { each: true }),
    Matches(/^[^,]+$/, { each: true, message: 'tags cannot contain commas' }),
    NoNulCharacters({ each: true }),
    NoInvisibleCharacters({ each: true }),
  );

/**
 * The read-only fields of an article as the API returns it: editors send the article they
 * received back with their changes, so these are accepted and ignored (tolerant reader). The
 * body's other unknown fields (`id`, `authorId`, …) are still refused.
 */
export abstract class ArticleEchoFields {
  @ReadOnlyEcho() slug?: unknown;
  @ReadOnlyEcho() createdAt?: unknown;
  @ReadOnlyEcho() updatedAt?: unknown;
  @ReadOnlyEcho() favorited?: unknown;
  @ReadOnlyEcho() favoritesCount?: unknown;
  @ReadOnlyEcho() author?: unknown;
}
