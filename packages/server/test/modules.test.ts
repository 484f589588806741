import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootPlatform, createLogger } from '../src/platform/boot.ts';
import { loadConfig } from '../src/platform/config.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { checkModules, defineModule, type MeridianModule } from '../src/platform/module.ts';
import { defineSettings, setting } from '../src/platform/settings.ts';
import { defineObject, field } from '../src/platform/metadata/define.ts';
import { modules } from '../src/modules/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

/**
 * The module contract (platform/module.ts): a module is one declared object handed to the
 * platform by the composition root; it brings objects, hooks, routes, migrations, settings and
 * start-up work, and the platform imports none of them.
 */
const widgetSettings = defineSettings('widgets', {
  perPage: setting.integer('MERIDIAN_WIDGETS_PER_PAGE', 25, 'widgets per page', { min: 1, max: 500 }),
  greeting: setting.text('MERIDIAN_WIDGETS_GREETING', 'hello', 'what the widget says'),
});

const widget = defineObject({ apiName: 'widget', label: 'Widget', pluralLabel: 'Widgets', nameField: 'name', navOrder: 900, fields: [field('name', 'Name', 'text', { required: true })] });

let startups = 0;
const widgets = defineModule({
  name: 'widgets',
  objects: [widget],
  settings: widgetSettings,
  migrations: [
    {
      id: '0001_widget_log',
      async up(trx, { registry }) {
        await sql`CREATE TABLE widget_log (id serial PRIMARY KEY, note text)`.execute(trx);
        // The standard tables exist when module migrations run, so a migration may index them.
        await sql`CREATE INDEX ix_widget_name ON ${sql.table(registry.requireObject('widget').table)} (name)`.execute(trx);
      },
    },
  ],
  hooks(hooks) {
    hooks.register('beforeSave', { name: 'widgets.upper', object: 'widget', operations: ['create'], run: ({ data }) => void (data.name = String(data.name).toUpperCase()) });
  },
  routes(app, platform) {
    app.get('/api/v1/widgets/settings', async () => widgetSettings.of(platform));
  },
  async startup() {
    startups += 1;
  },
});

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.cleanup();
});

const boot = (env: Record<string, string> = {}, list: readonly MeridianModule[] = [...modules, widgets]) =>
  bootPlatform({ config: { ...loadConfig({}), env }, modules: list, database: db.database, logger: createLogger('silent') });

describe('module contract', () => {
  it('a module brings its objects, migrations (once), hooks, routes, settings and start-up work', async () => {
    const platform = await boot({ MERIDIAN_WIDGETS_PER_PAGE: '50' });
    expect(platform.registry.getObject('widget')).toBeDefined();
    const applied = await sql<{ id: string }>`SELECT id FROM meridian_migration WHERE id LIKE 'widgets/%'`.execute(platform.db);
    expect(applied.rows.map((r) => r.id)).toEqual(['widgets/0001_widget_log']);
    const app = await buildApp(platform, { logger: false });
    const { createUser } = await import('../src/platform/auth/users.ts');
    const { createApiToken, actorFor } = await import('../src/platform/auth/sessions.ts');
    const { systemActor } = await import('../src/platform/records/context.ts');
    const user = await createUser({ platform, actor: systemActor('system'), input: { email: 'm@example.com', password: 'correct horse battery', profile: 'admin' } });
    const { token } = await createApiToken({ platform, actor: actorFor({ id: user.id as string, email: 'm@example.com', profile: 'admin', active: true, time_zone: 'UTC', locale: 'en-US', full_name: '' }, 'api'), name: 't' });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const settings = await app.inject({ method: 'GET', url: '/api/v1/widgets/settings', headers });
    expect(settings.json()).toEqual({ perPage: 50, greeting: 'hello' });
    const created = await app.inject({ method: 'POST', url: '/api/v1/widget', headers, payload: JSON.stringify({ name: 'sprocket' }) });
    expect(created.statusCode).toBe(201);
    expect(created.json().name).toBe('SPROCKET');
    await app.close();

    // A second start applies nothing again and runs start-up work again (it is idempotent by contract).
    const before = startups;
    const again = await boot();
    expect(startups).toBe(before + 1);
    expect((await sql`SELECT id FROM meridian_migration WHERE id LIKE 'widgets/%'`.execute(again.db)).rows).toHaveLength(1);
  });

  it('a bad setting stops the start, naming the variable', async () => {
    await expect(boot({ MERIDIAN_WIDGETS_PER_PAGE: 'many' })).rejects.toThrow(/MERIDIAN_WIDGETS_PER_PAGE: must be an integer from 1 to 500, got 'many'/);
  });

  it('refuses modules that collide, jobs outside their module, and settings declared for another module', () => {
    expect(() => checkModules([widgets, widgets])).toThrow(/Two modules are named 'widgets'/);
    expect(() => checkModules([widgets, defineModule({ name: 'gadgets', objects: [widget] })])).toThrow(/declared by modules 'widgets' and 'gadgets'/);
    expect(() => defineModule({ name: 'gadgets', jobs: [{ name: 'widgets.tick', run: async () => {} }] })).toThrow(/must be named 'gadgets\.…'/);
    expect(() => defineModule({ name: 'gadgets', settings: widgetSettings })).toThrow(/declared for 'widgets'/);
    expect(() => defineModule({ name: 'Bad-Name' })).toThrow(/lower-case/);
  });
});

describe('layering', () => {
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const src = path.join(import.meta.dirname, '../src');

  it('the platform imports no module', () => {
    const offenders = files(path.join(src, 'platform')).filter((f) => /from ['"][./]*(\.\.\/)+modules\//.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(src, f))).toEqual([]);
  });

  it('no module reads process.env (settings come through the config)', () => {
    const offenders = files(path.join(src, 'modules')).filter((f) => !f.endsWith('.test.ts') && /process\.env/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(src, f))).toEqual([]);
  });
});

describe('test factories', () => {
  it("every module factory builds a valid record of its object, required parents included", async () => {
    const { getTestServer } = await import('./server.ts');
    const { buildAny, factoryObjects } = await import('./factories.ts');
    const server = await getTestServer();
    try {
      const objects = factoryObjects(server.platform.modules);
      expect(objects).toEqual(expect.arrayContaining(['account', 'opportunity', 'task', 'booking_link', 'account_contact_role']));
      for (const object of objects) {
        const record = await buildAny(server.platform.modules, server.admin, object);
        expect(record.id, object).toMatch(/^[0-9a-f-]{36}$/);
      }
    } finally {
      await server.close();
    }
  });
});
