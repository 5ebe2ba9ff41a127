import type { ExecutionContext, Type } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';

/**
 * A real Nest HTTP execution context for unit-testing guards: `handler` is a method of
 * `controller`, so the metadata its decorators set is read exactly as at runtime.
 */
export function httpContext<T extends object>(
  controller: Type<T>,
  handler: keyof T,
  request: object = { headers: {} },
  reply: object = {},
): ExecutionContext {
  const host = new ExecutionContextHost(
    [request, reply],
    controller,
    controller.prototype[handler] as () => unknown,
  );
  host.setType('http');
  return host;
}
