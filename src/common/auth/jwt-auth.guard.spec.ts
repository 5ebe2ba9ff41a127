import { describe, expect, it } from '@jest/globals';
import { Reflector } from '@nestjs/core';
import { httpContext } from '../../../test/support/execution-context.js';
import { UnauthorizedError } from '../errors/domain-errors.js';
import { OptionalAuth, Public } from './auth.decorators.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

class Routes {
  @Public() open() {}
  @OptionalAuth() personalised() {}
}

const named = (name: string) => Object.assign(new Error('detail'), { name });

describe('JwtAuthGuard', () => {
  const guard = new JwtAuthGuard(new Reflector());

  describe('canActivate', () => {
    it('lets @Public routes through without a token', () => {
      expect(guard.canActivate(httpContext(Routes, 'open', { headers: {} }))).toBe(true);
    });

    it('lets @Public routes through even with a broken Authorization header', () => {
      const request = { headers: { authorization: 'Bearer garbage' } };
      expect(guard.canActivate(httpContext(Routes, 'open', request))).toBe(true);
    });

    it('lets @OptionalAuth routes through when no Authorization header is sent', () => {
      expect(guard.canActivate(httpContext(Routes, 'personalised', { headers: {} }))).toBe(true);
    });
  });

  describe('handleRequest', () => {
    const user = { id: 1 };

    it('returns the user established by the strategy', () => {
      expect(guard.handleRequest(null, user, undefined)).toBe(user);
    });

    it.each([
      ['TokenExpiredError', 'token has expired'],
      ['JsonWebTokenError', 'token is invalid'],
      ['NotBeforeError', 'token is not active yet'],
    ])('translates passport-jwt %s into "%s"', (name, message) => {
      const attempt = () => guard.handleRequest(null, false, named(name));
      expect(attempt).toThrow(UnauthorizedError);
      expect(attempt).toThrow(message);
    });

    it('asks for a valid token when there is no token or an unknown reason', () => {
      expect(() => guard.handleRequest(null, false, new Error('No auth token'))).toThrow(
        'a valid access token is required',
      );
      expect(() => guard.handleRequest(null, false, undefined)).toThrow(
        'a valid access token is required',
      );
    });

    it('rethrows errors raised by the strategy (e.g. a revoked session or a database outage)', () => {
      const failure = new Error('database down');
      expect(() => guard.handleRequest(failure, false, undefined)).toThrow(failure);
    });

    it('turns a thrown non-Error into UnauthorizedError', () => {
      expect(() => guard.handleRequest('weird', false, undefined)).toThrow(UnauthorizedError);
    });

    describe('on @OptionalAuth routes', () => {
      const optional = () => {
        const headers: Record<string, string> = {};
        const reply = { header: (name: string, value: string) => (headers[name] = value) };
        return { context: httpContext(Routes, 'personalised', { headers: {} }, reply), headers };
      };

      it('treats an expired or invalid token as anonymous and sets WWW-Authenticate', () => {
        for (const info of [named('TokenExpiredError'), named('JsonWebTokenError'), undefined]) {
          const { context, headers } = optional();
          expect(guard.handleRequest(null, false, info, context)).toBeUndefined();
          expect(headers).toEqual({ 'www-authenticate': 'Bearer error="invalid_token"' });
        }
      });

      it('treats a token of an ended session as anonymous', () => {
        const { context, headers } = optional();
        const ended = new UnauthorizedError('session has ended or the user no longer exists');
        expect(guard.handleRequest(ended, false, undefined, context)).toBeUndefined();
        expect(headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      });

      it('still fails on errors that are not about the token (e.g. a database outage)', () => {
        const { context, headers } = optional();
        const failure = new Error('database down');
        expect(() => guard.handleRequest(failure, false, undefined, context)).toThrow(failure);
        expect(headers).toEqual({});
      });

      it('returns the user of a valid token without a challenge', () => {
        const { context, headers } = optional();
        expect(guard.handleRequest(null, user, undefined, context)).toBe(user);
        expect(headers).toEqual({});
      });
    });

    it('keeps refusing an invalid token on routes that require one', () => {
      class Required {
        protectedRoute() {}
      }
      const required = httpContext(Required, 'protectedRoute', { headers: {} });
      expect(() => guard.handleRequest(null, false, named('TokenExpiredError'), required)).toThrow(
        'token has expired',
      );
    });
  });
});
