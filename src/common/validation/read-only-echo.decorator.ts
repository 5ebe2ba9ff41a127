import { applyDecorators } from '@nestjs/common';
import { ApiHideProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Allow } from 'class-validator';

/**
 * Tolerant reader: a read-only field of the resource's representation (e.g. an article's
 * `slug` or `favoritesCount`) that clients send back with the rest of what they received. It
 * is accepted, whatever its value, and its value is dropped while the body becomes the DTO, so
 * it never reaches the service. Only fields the client received may be marked: a field that is
 * not in the resource, or one that could change privileges or ownership (`role`, `id`,
 * `authorId`, hashes), stays unknown and is refused with 422. Hidden from the OpenAPI schema,
 * which documents what a client may send (see docs/request-bodies.md).
 */
export const ReadOnlyEcho = () =>
  applyDecorators(
    Allow(),
    Transform(() => undefined),
    ApiHideProperty(),
  );
