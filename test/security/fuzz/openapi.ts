/**
 * Reads the app's own OpenAPI document into the list of operations the fuzzer drives: one
 * entry per path and method, with its parameters and request body schema ($refs resolved).
 */

/** A JSON Schema as @nestjs/swagger emits it (the subset the generators understand). */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  example?: unknown;
  $ref?: string;
  [keyword: string]: unknown;
}

export interface QueryParameter {
  name: string;
  required: boolean;
  schema: Schema;
}

/** Who may call an operation, from its `security` requirement and `x-roles`. */
export type AccessMode = 'public' | 'optional' | 'required';

export interface Operation {
  /** `GET /api/articles/{slug}`: the key of the coverage summary. */
  key: string;
  method: string;
  path: string;
  /** Every `{name}` of the path template, in order. */
  pathParams: string[];
  /** Template variables the document does not declare as `in: path` parameters. */
  undeclaredPathParams: string[];
  query: QueryParameter[];
  body?: Schema;
  access: AccessMode;
  roles: string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document, in document order. */
export function listOperations(document: any): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters: any[] = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const declared = new Set(parameters.filter((p) => p.in === 'path').map((p) => p.name));
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams,
        undeclaredPathParams: pathParams.filter((name) => !declared.has(name)),
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({
            name: p.name,
            required: Boolean(p.required),
            schema: resolveSchema(document, p.schema ?? {}),
          })),
        body: bodySchema ? resolveSchema(document, bodySchema) : undefined,
        access: accessMode(operation.security),
        roles: operation['x-roles'] ?? [],
      });
    }
  }
  return operations;
}

function accessMode(security: unknown): AccessMode {
  if (!Array.isArray(security) || security.length === 0) return 'public';
  return security.some((requirement) => Object.keys(requirement).length === 0)
    ? 'optional'
    : 'required';
}

/** The schema with every `$ref` (to `#/components/schemas/…`) replaced by its target. */
export function resolveSchema(document: any, schema: Schema, depth = 0): Schema {
  if (depth > 20) throw new Error('schema nesting too deep (recursive $ref?)');
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = document.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    return resolveSchema(document, target, depth + 1);
  }
  const resolved: Schema = { ...schema };
  if (schema.properties) {
    resolved.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, property]) => [
        name,
        resolveSchema(document, property, depth + 1),
      ]),
    );
  }
  if (schema.items) resolved.items = resolveSchema(document, schema.items, depth + 1);
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) {
    return { ...resolveSchema(document, schema.allOf[0] as Schema, depth + 1), ...resolved };
  }
  return resolved;
}
