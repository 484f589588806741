import type { Config } from '../platform/config.ts';
import { bootPlatform, createLogger } from '../platform/boot.ts';
import { openDatabase } from '../platform/db/connection.ts';
import { buildApp } from '../platform/http/app.ts';
import { createUser } from '../platform/auth/users.ts';
import { actorFor, createApiToken } from '../platform/auth/sessions.ts';
import { systemActor } from '../platform/records/context.ts';
import { modules } from '../modules/index.ts';

/**
 * The OpenAPI document of a fresh Meridian as an administrator sees it: every fixed route and
 * every standard object, no custom ones. The web app's API types are generated from it
 * (packages/web/scripts/generate-api-types.ts), so it is built on a throwaway in-memory database
 * and depends on the code only — the same document on every machine.
 */
export async function generateOpenApiDocument(args: { config: Config }): Promise<Record<string, unknown>> {
  const database = await openDatabase({});
  try {
    const config = { ...args.config, publicUrl: 'http://localhost:3000', databaseUrl: undefined };
    const platform = await bootPlatform({ config, modules, database, logger: createLogger('silent') });
    const app = await buildApp(platform, { logger: false });
    await app.ready();
    const email = 'openapi@localhost.invalid';
    const user = await createUser({ platform, actor: systemActor('cli'), input: { email, profile: 'admin', lastName: 'OpenAPI' } });
    const actor = actorFor({ id: user.id, email, profile: 'admin', active: true, time_zone: 'UTC', locale: 'en-US', full_name: '' }, 'api');
    const { token } = await createApiToken({ platform, actor, name: 'openapi' });
    const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`The OpenAPI document could not be built (${res.statusCode}): ${res.body}`);
    await app.close();
    return JSON.parse(res.body) as Record<string, unknown>;
  } finally {
    await database.close();
  }
}
