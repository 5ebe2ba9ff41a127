import type { Role } from './role.js';

/** The caller as established by the JWT guard; attached to the request as `request.user`. */
export interface AuthenticatedUser {
  id: number;
  username: string;
  email: string;
  role: Role;
  /** The session (refresh-token family) the access token belongs to. */
  sessionId: string;
  /** When the session's last real login happened (the access token's `auth_time`). */
  authTime: Date;
  /** The raw access token, echoed back in RealWorld `user.token`. */
  token: string;
  /** Whether the account's email is verified (REQUIRE_VERIFIED_EMAIL). */
  emailVerified?: boolean;
}
