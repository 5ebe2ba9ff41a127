/**
 * Public surface of the tags module: the only file other feature modules may import from it
 * (entity files excepted, see eslint.config.js).
 */
export { TagsModule } from './tags.module.js';
export { TagsService } from './tags.service.js';
export { hasInvisibleCharacters, normalizeTag } from './tag-name.js';
export { Tag } from './entities/tag.entity.js';
export { ArticleTag } from './entities/article-tag.entity.js';
