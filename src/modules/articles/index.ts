/**
 * Public surface of the articles module: the only file other feature modules may import from
 * it (entity files excepted, see eslint.config.js).
 */
export { ArticlesModule } from './articles.module.js';
export { ArticlesService } from './articles.service.js';
export { Article } from './entities/article.entity.js';
export { Favorite } from './entities/favorite.entity.js';
export { ArticleCounts, type CountMismatch } from './article-counts.js';
export { ArticleCount } from './entities/article-count.entity.js';
