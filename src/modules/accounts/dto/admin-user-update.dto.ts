import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ROLES, type Role } from '../../../common/auth/role.js';
import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import { AdminUserView } from '../../users/index.js';

export class AdminUserChangesFields {
  @ApiPropertyOptional({ enum: ROLES, example: 'admin' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({
    example: true,
    description: 'true ends every session of the user and refuses login (403 ACCOUNT_DISABLED)',
  })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

/** `PATCH /api/users/:id` body (admin): `{ "user": { "role": "admin", "disabled": false } }`. */
export class AdminUserUpdateDto {
  @WrappedBody(() => AdminUserChangesFields)
  user: AdminUserChangesFields;
}

/** Route parameters of `/api/users/:id`. */
export class UserIdParams {
  @ApiProperty({ type: 'integer', minimum: 1, example: 7 })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: 'must be a positive integer' })
  @Min(1, { message: 'must be a positive integer' })
  @Max(2_147_483_647, { message: 'is out of range' })
  id: number;
}

export class AdminUserResponse {
  @ApiProperty({ type: AdminUserView }) user: AdminUserView;
}
