import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { bookSlot } from './book.ts';
import { parseBookingInput } from './input.ts';
import { getBookingPage, getFreeSlots, parseSlotWindow } from './queries.ts';
import { bookingRateLimiter, tooManyBookings } from './rateLimit.ts';
import { activitySettings } from '../settings.ts';
import { T, routeSchema } from '../../../platform/http/schema/common.ts';

const Slug = T.Object({ slug: T.String({ maxLength: 120 }) });
const tags = ['scheduling'];

type S = { slug: string };

/**
 * The public booking endpoints (no session or token: /api/v1/public/ is open in http/app.ts).
 * They expose only what a link publishes; see docs/activities.md "Scheduling links".
 */
export function registerSchedulingRoutes(app: FastifyInstance, platform: Platform): void {
  const limit = bookingRateLimiter(activitySettings.of(platform).bookingRateLimit);

  app.get('/api/v1/public/booking/:slug', {
    schema: routeSchema({
      tags,
      operationId: 'getBookingPage',
      summary: 'Public: what a booking link publishes (no sign-in)',
      security: [],
      params: Slug,
      response: { 200: T.Object({ name: T.String(), description: T.Union([T.String(), T.Null()]), durationMinutes: T.Integer(), timeZone: T.String(), hostName: T.String(), location: T.Union([T.String(), T.Null()]) }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    return getBookingPage({ platform, slug: (request.params as S).slug });
  });

  app.get('/api/v1/public/booking/:slug/slots', {
    schema: routeSchema({
      tags,
      operationId: 'getBookingSlots',
      summary: 'Public: free slots of a booking link in UTC (from, to: dates, at most 31 days)',
      security: [],
      params: Slug,
      querystring: T.Object({ from: T.String({ maxLength: 10 }), to: T.String({ maxLength: 10 }) }),
      response: { 200: T.Object({ timeZone: T.String(), durationMinutes: T.Integer(), data: T.Array(T.Object({ start: T.String(), end: T.String() })) }) },
    }),
  }, async (request) => {
    const window = parseSlotWindow(request.query as { from?: string; to?: string });
    return getFreeSlots({ platform, slug: (request.params as S).slug, window });
  });

  app.post('/api/v1/public/booking/:slug', {
    // Counted before the body is validated, so malformed attempts count too.
    preValidation: async (request, reply) => {
      const over = limit(request.ip);
      if (over) {
        reply.header('retry-after', over.retryAfterSeconds);
        throw tooManyBookings(over.retryAfterSeconds);
      }
    },
    schema: routeSchema({
      tags,
      operationId: 'bookSlot',
      summary: 'Public: book a slot; 409 slot_taken; limited per IP address',
      security: [],
      params: Slug,
      body: T.Object({ start: T.String({ maxLength: 64 }), name: T.String({ maxLength: 200 }), email: T.String({ maxLength: 320 }), note: T.Optional(T.Union([T.String({ maxLength: 2000 }), T.Null()])) }, { additionalProperties: false }),
      response: { 201: T.Object({ start: T.String(), end: T.String() }) },
    }),
  }, async (request, reply) => {
    const input = parseBookingInput(request.body);
    const booked = await bookSlot({ platform, slug: (request.params as S).slug, input });
    return reply.status(201).send(booked);
  });
}
