import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

/**
 * One metadata key of the matched route, the handler's value overriding the controller's (as
 * `Reflector.getAllAndOverride`), read once per route instead of on every request: metadata
 * is fixed once the application has started, and with four global guards each walking the
 * reflection chain the walk was a visible share of a cheap request's CPU.
 */
export class RouteMetadata<T> {
  /** handler → controller → value: a handler inherited by two controllers is read per controller. */
  private readonly values = new WeakMap<object, Map<object, T | undefined>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly key: string,
  ) {}

  of(context: ExecutionContext): T | undefined {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.values.get(handler);
    if (!byController) {
      byController = new Map();
      this.values.set(handler, byController);
    }
    if (byController.has(controller)) return byController.get(controller);
    const value = this.reflector.getAllAndOverride<T | undefined>(this.key, [handler, controller]);
    byController.set(controller, value);
    return value;
  }
}
