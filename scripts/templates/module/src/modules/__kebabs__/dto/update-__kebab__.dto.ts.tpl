import { WrappedBody } from '../../../common/validation/wrapped-body.decorator.js';
import { BodyField, TitleField } from './{{kebab}}-fields.js';

/** Only the fields sent change; `body: null` clears the body. */
export class Update{{Entity}}Fields {
  @TitleField({ required: false }) title?: string;
  @BodyField() body?: string | null;
}

/** `PUT /api/{{kebabs}}/:id` body: `{ "{{entity}}": { …fields to change } }`. */
export class Update{{Entity}}Dto {
  @WrappedBody(() => Update{{Entity}}Fields)
  {{entity}}: Update{{Entity}}Fields;
}
