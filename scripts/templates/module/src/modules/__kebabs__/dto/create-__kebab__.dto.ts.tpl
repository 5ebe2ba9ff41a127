import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import { BodyField, TitleField } from './{{kebab}}-fields.js';

/** What a new {{label}} is made of; the owner is always the caller, never the body. */
export class New{{Entity}}Fields {
  @TitleField({ required: true }) title: string;
  @BodyField() body?: string | null;
}

/** `POST /api/{{kebabs}}` body: `{ "{{entity}}": { "title": "…", "body": "…" } }`. */
export class Create{{Entity}}Dto {
  @WrappedBody(() => New{{Entity}}Fields)
  {{entity}}: New{{Entity}}Fields;
}
