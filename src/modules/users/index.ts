/**
 * Public surface of the users module: the only file other feature modules may import from it
 * (entity files excepted, see eslint.config.js). Everything else here is internal.
 */
export { UsersModule } from './users.module.js';
export {
  UsersService,
  type AccountFields,
  type AdminBootstrapOutcome,
  type NewUser,
  type PreparedUser,
  type UserChanges,
} from './users.service.js';
export { PasswordHasher, type HashingLimits } from './password-hasher.js';
export { User } from './entities/user.entity.js';
export {
  BioField,
  EmailField,
  ImageField,
  PasswordField,
  UsernameField,
} from './dto/user-fields.js';
export { AdminUserView } from './dto/admin-user.response.js';
