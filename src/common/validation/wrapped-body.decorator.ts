import { applyDecorators, type Type as ClassType } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, isObject, ValidateBy, ValidateNested } from 'class-validator';

/** Rejects arrays and primitives; a missing value is left to `IsDefined` (one message, not two). */
const IsObjectWhenPresent = () =>
  ValidateBy({
    name: 'isObjectWhenPresent',
    validator: {
      validate: (value: unknown) => value === undefined || value === null || isObject(value),
      defaultMessage: () => 'must be an object',
    },
  });

/**
 * The RealWorld body wrapper property (`{ user: {…} }`, `{ article: {…} }`): required, a plain
 * object and validated as `type`. The object check matters: class-validator validates an array
 * element by element, so `{ "user": [] }` would otherwise pass with no fields at all.
 */
export const WrappedBody = (type: () => ClassType<unknown>) =>
  applyDecorators(
    ApiProperty({ type: type() }),
    IsDefined({ message: "can't be blank" }),
    IsObjectWhenPresent(),
    ValidateNested(),
    Type(type),
  );
