/**
 * Deepest nesting a JSON request body may have. The API's own bodies need 3 levels
 * (`{"article":{"tagList":[…]}}`); validation and transformation walk a body recursively, so a
 * body nested thousands of levels deep would overflow the stack and end as a 500.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * True when the JSON text nests objects and arrays more than `maxDepth` levels deep. A linear
 * scan of the raw text, run before parsing; brackets inside strings do not count.
 */
export function exceedsJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c /* \ */) index += 1;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth -= 1;
    }
  }
  return false;
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * True when a string anywhere in the parsed body (keys included) holds a lone UTF-16 surrogate,
 * which JSON can express (`"\ud800"`) but Unicode cannot: the database would silently store a
 * replacement character instead, so such a body is refused rather than altered.
 */
export function containsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(containsLoneSurrogate);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(
      ([key, child]) => LONE_SURROGATE.test(key) || containsLoneSurrogate(child),
    );
  return false;
}
