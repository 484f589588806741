import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { bookSlot } from './book.ts';
import { parseBookingInput } from './input.ts';
import { getBookingPage, getFreeSlots, parseSlotWindow } from './queries.ts';
import { bookingRateLimiter, tooManyBookings } from './rateLimit.ts';

type S = { slug: string };

/**
 * The public booking endpoints (no session or token: /api/v1/public/ is open in http/app.ts).
 * They expose only what a link publishes; see docs/activities.md "Scheduling links".
 */
export function registerSchedulingRoutes(app: FastifyInstance, platform: Platform): void {
  const limit = bookingRateLimiter();

  app.get('/api/v1/public/booking/:slug', async (request) => {
    await platform.registry.ensureFresh();
    return getBookingPage({ platform, slug: (request.params as S).slug });
  });

  app.get('/api/v1/public/booking/:slug/slots', async (request) => {
    const window = parseSlotWindow(request.query as { from?: string; to?: string });
    return getFreeSlots({ platform, slug: (request.params as S).slug, window });
  });

  app.post('/api/v1/public/booking/:slug', async (request, reply) => {
    const over = limit(request.ip);
    if (over) {
      reply.header('retry-after', over.retryAfterSeconds);
      throw tooManyBookings(over.retryAfterSeconds);
    }
    const input = parseBookingInput(request.body);
    const booked = await bookSlot({ platform, slug: (request.params as S).slug, input });
    return reply.status(201).send(booked);
  });
}
