import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiFoundResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { ErrorEnvelope } from '../../common/errors/error-envelope.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.guard.js';
import { AppConfig } from '../../config/app.config.js';
import { requestOrigin } from '../../common/http/request-origin.js';
import { RequireRecentAuth, UserResponse } from '../auth/index.js';
import { readBrowserCookie, setBrowserCookie } from './browser-cookie.js';
import { AuthorizeQuery } from './dto/authorize.query.js';
import { ExchangeDto, LinkDto, LinkResponse } from './dto/exchange.dto.js';
import { ProviderListResponse, ProviderView } from './dto/provider.response.js';
import { OidcProviders } from './oidc-providers.js';
import { SsoService } from './sso.service.js';

/** OpenID Connect single sign-on: provider list, authorize, callback, code exchange, link. */
@ApiTags('Single sign-on (OpenID Connect)')
@Controller('auth/oidc')
export class SsoController {
  constructor(
    private readonly sso: SsoService,
    private readonly providers: OidcProviders,
    private readonly config: AppConfig,
  ) {}

  @Get('providers')
  @Public()
  @ApiOperation({ summary: 'List the configured OpenID Providers (for a login page)' })
  listProviders(): ProviderListResponse {
    return { providers: this.providers.list().map((provider) => ProviderView.from(provider)) };
  }

  @Get(':provider/authorize')
  @Public()
  @RateLimit('auth')
  @ApiOperation({
    summary: 'Start a login: 302 to the provider (PKCE S256, state, nonce)',
    description:
      'Open in the browser. Sets an HttpOnly cookie binding the login to this browser. ' +
      '`redirect_uri` must be on the OIDC_REDIRECT_URIS allow-list (else 422).',
  })
  @ApiFoundResponse({ description: "Redirect to the provider's authorization endpoint" })
  @ApiNotFoundResponse({ description: 'Unknown provider', type: ErrorEnvelope })
  @ApiServiceUnavailableResponse({ description: 'Provider unreachable', type: ErrorEnvelope })
  async authorize(
    @Param('provider') providerId: string,
    @Query() query: AuthorizeQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { url, browserId } = await this.sso.authorize({
      providerId,
      redirectUri: query.redirect_uri,
      linkTicket: query.link_token,
      browserId: readBrowserCookie(request),
      baseUrl: this.baseUrl(request),
    });
    setBrowserCookie(
      reply,
      browserId,
      this.config.oidc.stateTtlSeconds,
      this.baseUrl(request).startsWith('https:'),
    );
    await reply.redirect(url, 302);
  }

  @Get(':provider/callback')
  @Public()
  @RateLimit('auth')
  @ApiOperation({
    summary: 'Provider redirects here; 302 to the client redirect_uri with a one-time `code`',
    description:
      'Validates state (single use, same browser), the authorization code (PKCE), and the ID ' +
      'token (signature via JWKS, iss, aud, azp, exp, iat, nonce). Failures answer 4xx.',
  })
  @ApiQuery({ name: 'code', required: false, type: String })
  @ApiQuery({ name: 'state', required: false, type: String })
  @ApiQuery({ name: 'iss', required: false, type: String })
  @ApiQuery({ name: 'error', required: false, type: String })
  @ApiFoundResponse({ description: 'Redirect to the client with ?code=<one-time code>' })
  @ApiBadRequestResponse({ description: 'Unknown, used or foreign state', type: ErrorEnvelope })
  @ApiUnauthorizedResponse({ description: 'Code or ID token rejected', type: ErrorEnvelope })
  async callback(
    @Param('provider') providerId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const target = await this.sso.callback({
      providerId,
      query: new URLSearchParams(rawQuery),
      browserId: readBrowserCookie(request),
    });
    await reply.header('cache-control', 'no-store').redirect(target, 302);
  }

  @Post('exchange')
  @HttpCode(200)
  @Public()
  @RateLimit('auth')
  @ApiOperation({
    summary: 'Trade the one-time code for the user with access and refresh tokens',
    description: 'Single use, valid OIDC_CODE_TTL_SECONDS (60 s by default).',
  })
  @ApiUnauthorizedResponse({ description: 'Code unknown, expired or used', type: ErrorEnvelope })
  async exchange(@Body() body: ExchangeDto, @Req() request: FastifyRequest): Promise<UserResponse> {
    const issued = await this.sso.exchange(body.code, requestOrigin(request));
    return UserResponse.of(issued.user, issued.accessToken, issued.refreshToken);
  }

  @Post(':provider/link')
  @HttpCode(200)
  @RequireRecentAuth()
  @ApiOperation({
    summary: 'Get a single-use URL that links the provider to your account',
    description:
      'Open `authorizationUrl` in the browser; after the provider login the identity is ' +
      'linked to the caller and the callback redirects to `redirectUri` with a one-time code. ' +
      'A new way into the account: needs `currentPassword` or a recent login.',
  })
  @ApiNotFoundResponse({ description: 'Unknown provider', type: ErrorEnvelope })
  linkUrl(
    @Param('provider') providerId: string,
    @Body() body: LinkDto,
    @CurrentUser() caller: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<LinkResponse> {
    return this.sso.linkTicket(providerId, caller.id, body.redirectUri, this.baseUrl(request));
  }

  /** Public base URL: OIDC_PUBLIC_BASE_URL, else what the request says (TRUST_PROXY-aware). */
  private baseUrl(request: FastifyRequest): string {
    return this.config.oidc.publicBaseUrl ?? `${request.protocol}://${request.host}`;
  }
}
