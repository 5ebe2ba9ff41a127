import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import { ArticleEchoFields, TagListField, TextField } from './article-fields.js';

export class NewArticleFields extends ArticleEchoFields {
  @TextField({ required: true, max: 255, example: 'How to train your dragon' }) title: string;
  @TextField({ required: true, max: 1000, example: 'Ever wonder how?' }) description: string;
  @TextField({ required: true, max: 100_000, example: 'You have to believe' }) body: string;
  @TagListField() tagList?: string[];
}

/** `POST /api/articles` body. */
export class CreateArticleDto {
  @WrappedBody(() => NewArticleFields)
  article: NewArticleFields;
}
