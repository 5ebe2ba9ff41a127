import { CreateAuthSchema1764000000000 } from './1764000000000-create-auth-schema.js';
import { CreateRealworldSchema1764100000000 } from './1764100000000-create-realworld-schema.js';
import { CreateArticleCounts1765000000000 } from './1765000000000-create-article-counts.js';
import { LockArticleCountsOnUpdate1765000000001 } from './1765000000001-lock-article-counts-on-update.js';
import { CreateIdempotencyKeys1765100000000 } from './1765100000000-create-idempotency-keys.js';
import { SessionAuthTimeAndRefreshGrace1765300000000 } from './1765300000000-session-auth-time-and-refresh-grace.js';
import { NormalizeTags1765400000000 } from './1765400000000-normalize-tags.js';
import { CaseInsensitiveUsernames1765400000001 } from './1765400000001-case-insensitive-usernames.js';
import { CreateSsoSchema1765500000000 } from './1765500000000-create-sso-schema.js';
import { CreateAuditEvents1765600000000 } from './1765600000000-create-audit-events.js';
import { CreateMailOutbox1765610000000 } from './1765610000000-create-mail-outbox.js';
import { CreateAccountLifecycle1765620000000 } from './1765620000000-create-account-lifecycle.js';
import { CountArticleFavorites1765700000000 } from './1765700000000-count-article-favorites.js';
// generate:module inserts imports above this line

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list works from
 * compiled ESM output, from ts-jest and from the TypeORM CLI.
 */
export const migrations = [
  CreateAuthSchema1764000000000,
  CreateRealworldSchema1764100000000,
  CreateArticleCounts1765000000000,
  LockArticleCountsOnUpdate1765000000001,
  CreateIdempotencyKeys1765100000000,
  SessionAuthTimeAndRefreshGrace1765300000000,
  NormalizeTags1765400000000,
  CaseInsensitiveUsernames1765400000001,
  CreateSsoSchema1765500000000,
  CreateAuditEvents1765600000000,
  CreateMailOutbox1765610000000,
  CreateAccountLifecycle1765620000000,
  CountArticleFavorites1765700000000,
  // generate:module inserts migrations above this line
];
