import { IdempotencyRecord } from '../common/idempotency/idempotency-record.entity.js';
import { ArticleCount } from '../modules/articles/entities/article-count.entity.js';
import { Article } from '../modules/articles/entities/article.entity.js';
import { Favorite } from '../modules/articles/entities/favorite.entity.js';
import { Comment } from '../modules/comments/entities/comment.entity.js';
import { RefreshToken } from '../modules/auth/entities/refresh-token.entity.js';
import { Session } from '../modules/auth/entities/session.entity.js';
import { Follow } from '../modules/profiles/entities/follow.entity.js';
import { ArticleTag } from '../modules/tags/entities/article-tag.entity.js';
import { Tag } from '../modules/tags/entities/tag.entity.js';
import { User } from '../modules/users/entities/user.entity.js';
import { LoginState } from '../modules/sso/entities/login-state.entity.js';
import { OneTimeCode } from '../modules/sso/entities/one-time-code.entity.js';
import { UserIdentity } from '../modules/sso/entities/user-identity.entity.js';
import { UsernameHold } from '../modules/users/entities/username-hold.entity.js';
import { AuditEvent } from '../modules/audit/entities/audit-event.entity.js';
import { OutboxMessage } from '../modules/mail/entities/outbox-message.entity.js';
import { AccountToken } from '../modules/accounts/entities/account-token.entity.js';
// generate:module inserts imports above this line

/** Every entity of the application; feature modules add theirs here. */
export const entities = [
  User,
  Session,
  RefreshToken,
  Follow,
  Article,
  Favorite,
  ArticleCount,
  Tag,
  ArticleTag,
  Comment,
  AuditEvent,
  OutboxMessage,
  AccountToken,
  IdempotencyRecord,
  UserIdentity,
  LoginState,
  OneTimeCode,
  UsernameHold,
  // generate:module inserts entities above this line
];
