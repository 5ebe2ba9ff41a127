import { CreateAuthSchema1764000000000 } from './1764000000000-create-auth-schema.js';
import { CreateRealworldSchema1764100000000 } from './1764100000000-create-realworld-schema.js';
import { NormalizeTags1765400000000 } from './1765400000000-normalize-tags.js';
import { CaseInsensitiveUsernames1765400000001 } from './1765400000001-case-insensitive-usernames.js';
// generate:module inserts imports above this line

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list works from
 * compiled ESM output, from ts-jest and from the TypeORM CLI.
 */
export const migrations = [
  CreateAuthSchema1764000000000,
  CreateRealworldSchema1764100000000,
  NormalizeTags1765400000000,
  CaseInsensitiveUsernames1765400000001,
  // generate:module inserts migrations above this line
];
