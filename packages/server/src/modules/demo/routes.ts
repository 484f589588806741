import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { assertAdmin } from '../../platform/access/policy.ts';
import { requireActor } from '../../platform/http/context.ts';
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
export function registerDemoRoutes(app: FastifyInstance, platform: Platform) {
  app.get('/api/v1/admin/seed-demo', async (request) => {
    assertAdmin(requireActor(request));
    return states.get(platform) ?? { state: 'idle', messages: [] };
  });
  app.post('/api/v1/admin/seed-demo', async (request, reply) => {
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
