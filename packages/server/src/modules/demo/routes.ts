import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { assertAdmin } from '../../platform/access/policy.ts';
import { requireActor } from '../../platform/http/context.ts';
import { T, routeSchema } from '../../platform/http/schema/common.ts';
import { seedDemo } from './seed.ts';

interface SeedState {
  state: 'idle' | 'running' | 'done' | 'failed';
  messages: string[];
  summary?: Record<string, number>;
  error?: string;
}

const states = new WeakMap<Platform, SeedState>();

/**
 * POST /api/v1/admin/seed-demo starts loading the demo organisation in the background (first-run
 * setup offers it); GET reports progress so the web app can show a progress bar.
 */
const SeedStateSchema = T.Object({
  state: T.Union([T.Literal('idle'), T.Literal('running'), T.Literal('done'), T.Literal('failed')]),
  messages: T.Array(T.String()),
  summary: T.Optional(T.Record(T.String(), T.Integer())),
  error: T.Optional(T.String()),
  orgEmpty: T.Optional(T.Boolean({ description: 'No accounts, contacts, leads or opportunities yet: the web app offers the demo organisation' })),
});
const tags = ['demo'];

/** Whether nothing has been entered yet (deleted records count as nothing). */
async function isOrganisationEmpty(platform: Platform): Promise<boolean> {
  const r = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM obj_account WHERE deleted_at IS NULL) OR EXISTS (SELECT 1 FROM obj_contact WHERE deleted_at IS NULL)
    OR EXISTS (SELECT 1 FROM obj_lead WHERE deleted_at IS NULL) OR EXISTS (SELECT 1 FROM obj_opportunity WHERE deleted_at IS NULL) AS any`.execute(platform.db);
  return !r.rows[0]?.any;
}

export function registerDemoRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/api/v1/admin/seed-demo', { schema: routeSchema({ tags, operationId: 'getDemoSeedState', summary: 'Progress of loading the demo organisation (admins)', response: { 200: SeedStateSchema } }) }, async (request) => {
    assertAdmin(requireActor(request));
    return { ...(states.get(platform) ?? { state: 'idle', messages: [] }), orgEmpty: await isOrganisationEmpty(platform) };
  });
  app.post('/api/v1/admin/seed-demo', { schema: routeSchema({ tags, operationId: 'seedDemo', summary: 'Start loading the demo organisation in the background (admins)', response: { 202: SeedStateSchema } }) }, async (request, reply) => {
    assertAdmin(requireActor(request), 'Only administrators can load the demo organisation');
    const current = states.get(platform);
    if (current?.state === 'running') throw new AppError('conflict', 'The demo organisation is already being loaded');
    const state: SeedState = { state: 'running', messages: [] };
    states.set(platform, state);
    seedDemo({ platform, onProgress: (m) => state.messages.push(m) }).then(
      (summary) => Object.assign(state, { state: 'done', summary }),
      (error: Error) => Object.assign(state, { state: 'failed', error: error.message }),
    );
    return reply.status(202).send(state);
  });
}
