/** Refresh tokens are opaque tokens: random, stored only as a SHA-256 hash. */
export {
  generateOpaqueToken as generateRefreshToken,
  hashOpaqueToken as hashRefreshToken,
} from '../../common/auth/opaque-token.js';
