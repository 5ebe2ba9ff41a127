/**
 * Pure comparison of two OpenAPI documents: does `ours` keep the RealWorld contract
 * (`../shared/realworld/api/openapi.yml`)? For every RealWorld operation it checks that the
 * same path (after each document's server base path) and method exist, and that whatever
 * RealWorld requires is required in ours too: parameters, the request body and its properties,
 * and the properties of the success responses, at every depth RealWorld declares. Extra
 * operations, parameters and properties in ours are fine. Used by check-openapi.mjs.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** The path part of a document's first server URL, without a trailing slash ('' if none). */
export function basePath(document) {
  const url = document.servers?.[0]?.url;
  if (!url) return '';
  // Relative URLs ('/', '/api') resolve against any origin; server variables are not used here.
  const { pathname } = new URL(url, 'http://placeholder.invalid');
  return decodeURIComponent(pathname).replace(/\/+$/, '');
}

/** Path template with parameter names erased, so `/a/{slug}` matches `/a/{articleSlug}`. */
function pathShape(path) {
  return path.replace(/\{[^}]+\}/g, '{}');
}

/** Follows a local `$ref` (`#/components/...`); other values are returned as they are. */
export function resolve(document, value, seen = new Set()) {
  if (!value || typeof value !== 'object' || typeof value.$ref !== 'string') return value;
  if (!value.$ref.startsWith('#/') || seen.has(value.$ref)) {
    throw new Error(`cannot resolve $ref ${value.$ref}`);
  }
  seen.add(value.$ref);
  const target = value.$ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node, key) => node?.[key], document);
  if (target === undefined) throw new Error(`dangling $ref ${value.$ref}`);
  return resolve(document, target, seen);
}

/** A schema's own and allOf-inherited `required` names and `properties`. */
function flatten(document, schema) {
  const resolved = resolve(document, schema) ?? {};
  const required = new Set(resolved.required ?? []);
  const properties = { ...(resolved.properties ?? {}) };
  for (const part of resolved.allOf ?? []) {
    const inner = flatten(document, part);
    inner.required.forEach((name) => required.add(name));
    Object.assign(properties, inner.properties);
  }
  return { schema: resolved, required, properties };
}

/**
 * Problems where `ourSchema` does not require what `theirSchema` requires, recursively
 * through object properties and array items. `where` names the location in messages.
 */
export function compareSchemas(theirs, theirSchema, ours, ourSchema, where, depth = 0) {
  if (!theirSchema || depth > 20) return [];
  const problems = [];
  const their = flatten(theirs, theirSchema);
  const our = flatten(ours, ourSchema);
  for (const name of their.required) {
    if (!(name in our.properties) && !our.required.has(name)) {
      problems.push(`${where}: property "${name}" is missing`);
    } else if (!our.required.has(name)) {
      problems.push(`${where}: property "${name}" is required by RealWorld but optional here`);
    }
  }
  for (const [name, theirProperty] of Object.entries(their.properties)) {
    if (name in our.properties) {
      problems.push(
        ...compareSchemas(
          theirs,
          theirProperty,
          ours,
          our.properties[name],
          `${where}.${name}`,
          depth + 1,
        ),
      );
    }
  }
  if (their.schema.items && our.schema.items) {
    problems.push(
      ...compareSchemas(
        theirs,
        their.schema.items,
        ours,
        our.schema.items,
        `${where}[]`,
        depth + 1,
      ),
    );
  }
  return problems;
}

function jsonSchema(document, holder) {
  const resolved = resolve(document, holder);
  const content = resolved?.content ?? {};
  const media = content['application/json'] ?? Object.values(content)[0];
  return media?.schema;
}

function parameters(document, pathItem, operation) {
  return [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map((parameter) =>
    resolve(document, parameter),
  );
}

/** Compares one RealWorld operation with ours; returns the problems found. */
export function compareOperation(
  theirs,
  theirPathItem,
  theirOperation,
  ours,
  ourPathItem,
  ourOperation,
) {
  const problems = [];
  // Matched by name and location: a client sends RealWorld's names.
  const ourParameters = parameters(ours, ourPathItem, ourOperation);
  for (const parameter of parameters(theirs, theirPathItem, theirOperation)) {
    if (!parameter.required && parameter.in !== 'path') continue;
    const match = ourParameters.find((p) => p.in === parameter.in && p.name === parameter.name);
    if (!match) problems.push(`${parameter.in} parameter "${parameter.name}" is missing`);
    else if (!match.required)
      problems.push(`${parameter.in} parameter "${parameter.name}" is not required`);
  }

  const theirBody = resolve(theirs, theirOperation.requestBody);
  const ourBody = resolve(ours, ourOperation.requestBody);
  if (theirBody) {
    if (!ourBody) problems.push('request body is missing');
    else {
      if (theirBody.required && !ourBody.required) problems.push('request body is not required');
      problems.push(
        ...compareSchemas(
          theirs,
          jsonSchema(theirs, theirBody),
          ours,
          jsonSchema(ours, ourBody),
          'request body',
        ),
      );
    }
  }

  for (const [status, theirResponse] of Object.entries(theirOperation.responses ?? {})) {
    if (!/^2\d\d$/.test(status)) continue;
    const ourResponse = ourOperation.responses?.[status];
    if (!ourResponse) {
      const ourSuccess = Object.keys(ourOperation.responses ?? {}).filter((s) => /^2/.test(s));
      problems.push(`response ${status} is missing (declared: ${ourSuccess.join(', ') || 'none'})`);
      continue;
    }
    problems.push(
      ...compareSchemas(
        theirs,
        jsonSchema(theirs, theirResponse),
        ours,
        jsonSchema(ours, ourResponse),
        `response ${status}`,
      ),
    );
  }
  return problems;
}

/**
 * Compares every RealWorld operation with ours. Returns one entry per RealWorld operation:
 * `{ method, path, problems }` with `path` as served (base path included).
 */
export function compareWithRealWorld(theirs, ours) {
  const theirBase = basePath(theirs);
  const ourBase = basePath(ours);
  const ourPaths = new Map(
    Object.entries(ours.paths ?? {}).map(([path, item]) => [pathShape(ourBase + path), item]),
  );
  const results = [];
  for (const [path, theirPathItem] of Object.entries(theirs.paths ?? {})) {
    const fullPath = theirBase + path;
    const ourPathItem = ourPaths.get(pathShape(fullPath));
    for (const method of METHODS) {
      const theirOperation = theirPathItem[method];
      if (!theirOperation) continue;
      const ourOperation = ourPathItem?.[method];
      const problems = ourOperation
        ? compareOperation(theirs, theirPathItem, theirOperation, ours, ourPathItem, ourOperation)
        : ['operation is missing'];
      results.push({ method: method.toUpperCase(), path: fullPath, problems });
    }
  }
  return results;
}
