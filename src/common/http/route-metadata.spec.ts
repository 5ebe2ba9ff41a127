import { describe, expect, it } from '@jest/globals';
import { type ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RouteMetadata } from './route-metadata.js';

const MODE = 'test:mode';

class BaseController {
  @SetMetadata(MODE, 'handler')
  marked() {}

  unmarked() {}
}
@SetMetadata(MODE, 'public-class')
class PublicController extends BaseController {}
class PlainController extends BaseController {}

const context = (controller: object, handler: () => void) =>
  ({ getHandler: () => handler, getClass: () => controller }) as unknown as ExecutionContext;

describe('RouteMetadata', () => {
  it('lets the handler override the controller, like Reflector.getAllAndOverride', () => {
    const mode = new RouteMetadata<string>(new Reflector(), MODE);
    expect(mode.of(context(PublicController, BaseController.prototype.marked))).toBe('handler');
    expect(mode.of(context(PublicController, BaseController.prototype.unmarked))).toBe(
      'public-class',
    );
  });

  it('reads an inherited handler per controller, and each route only once', () => {
    const reflector = new Reflector();
    let reads = 0;
    const original = reflector.getAllAndOverride.bind(reflector);
    reflector.getAllAndOverride = ((key: string, targets: never[]) => {
      reads++;
      return original(key, targets);
    }) as typeof reflector.getAllAndOverride;
    const mode = new RouteMetadata<string>(reflector, MODE);
    const handler = BaseController.prototype.unmarked;
    for (let i = 0; i < 3; i++) {
      expect(mode.of(context(PublicController, handler))).toBe('public-class');
      expect(mode.of(context(PlainController, handler))).toBeUndefined();
    }
    expect(reads).toBe(2);
  });
});
