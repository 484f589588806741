import { AppError } from '../../../platform/errors.ts';

/**
 * A fixed-window counter per client IP for the public booking POST (anyone on the internet can
 * call it, and each call may create a contact and e-mail a stranger). In this process's memory,
 * like the platform's other limits; the map is pruned as it goes so it cannot grow unbounded.
 * `max` is the module setting MERIDIAN_BOOKING_RATE_LIMIT (bookings per IP and hour; 0 = no limit).
 */
export function bookingRateLimiter(max: number, windowMs = 3_600_000) {
  const hits = new Map<string, { count: number; resetAt: number }>();
  return (ip: string, now = Date.now()): { retryAfterSeconds: number } | undefined => {
    if (!Number.isInteger(max) || max <= 0) return undefined;
    if (hits.size > 10_000) for (const [k, v] of hits) if (v.resetAt <= now) hits.delete(k);
    const entry = hits.get(ip);
    if (!entry || entry.resetAt <= now) {
      hits.set(ip, { count: 1, resetAt: now + windowMs });
      return undefined;
    }
    entry.count += 1;
    return entry.count > max ? { retryAfterSeconds: Math.max(1, Math.ceil((entry.resetAt - now) / 1000)) } : undefined;
  };
}

export const tooManyBookings = (retryAfterSeconds: number) =>
  new AppError('rate_limited', `Too many booking attempts from your address; retry in ${Math.ceil(retryAfterSeconds / 60)} min (see Retry-After)`);
