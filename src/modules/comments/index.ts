/**
 * Public surface of the comments module: the only file other feature modules may import from
 * it (entity files excepted, see eslint.config.js).
 */
export { CommentsModule } from './comments.module.js';
export { CommentsService } from './comments.service.js';
export { Comment } from './entities/comment.entity.js';
