import { RefreshToken } from '../modules/auth/entities/refresh-token.entity.js';
import { Session } from '../modules/auth/entities/session.entity.js';
import { User } from '../modules/users/entities/user.entity.js';

/** Every entity of the application; feature modules add theirs here. */
export const entities = [User, Session, RefreshToken];
