import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';

/**
 * `currentPassword` of a sensitive change (see RecentAuthService): optional, but when sent it
 * must be a non-empty string and it is always checked.
 */
export const CurrentPasswordField = () =>
  applyDecorators(
    ApiPropertyOptional({
      description:
        'The current password. Required to change email or password unless the access token comes from a login less than RECENT_AUTH_MAX_AGE_SECONDS old',
    }),
    ValidateIf((_object, value) => value !== undefined),
    IsString(),
    MinLength(1, { message: "can't be blank" }),
    MaxLength(256),
  );
