import { defineSettings, setting } from '../../settings.ts';

/** Settings of integration clients (docs/operations.md, "Integration clients"). */
export const oauthSettings = defineSettings('oauth', {
  tokenLifetime: setting.duration('MERIDIAN_OAUTH_TOKEN_TTL', '1h', 'lifetime of an access token issued by POST /oauth/token (e.g. 15m, 1h; at most a day is advisable)'),
});
