import { applyDecorators, type Type as ClassType } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, ValidateNested } from 'class-validator';

/**
 * The RealWorld body wrapper property (`{ user: {…} }`, `{ article: {…} }`): required, a plain
 * object and validated as `type`. The object check matters: class-validator validates an array
 * element by element, so `{ "user": [] }` would otherwise pass with no fields at all.
 */
export const WrappedBody = (type: () => ClassType<unknown>) =>
  applyDecorators(
    ApiProperty({ type }),
    IsDefined({ message: "can't be blank" }),
    IsObject({ message: 'must be an object' }),
    ValidateNested(),
    Type(type),
  );
