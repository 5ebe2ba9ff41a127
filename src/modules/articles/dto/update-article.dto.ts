import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import { ArticleEchoFields, TagListField, TextField } from './article-fields.js';

export class UpdateArticleFields extends ArticleEchoFields {
  @TextField({ required: false, max: 255, example: 'Did you train your dragon?' }) title?: string;
  @TextField({ required: false, max: 1000, example: 'Ever wonder how?' }) description?: string;
  @TextField({ required: false, max: 100_000, example: 'With two hands' }) body?: string;
  /** Extension to RealWorld: replaces the article's tags when present. */
  @TagListField() tagList?: string[];
}

/**
 * `PUT /api/articles/:slug` body; a new title regenerates the slug. The article's read-only
 * fields may be sent back unchanged or not: they are ignored.
 */
export class UpdateArticleDto {
  @WrappedBody(() => UpdateArticleFields)
  article: UpdateArticleFields;
}
