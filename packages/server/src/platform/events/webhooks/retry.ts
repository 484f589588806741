/**
 * Retry policy of webhook deliveries. The schedule lists the delay before each retry; the delay
 * actually used for retry n is drawn uniformly between entries n-1 and n (full jitter inside that
 * band, 0 for the first), so failed deliveries of many events spread out after an outage while the
 * total span stays at least the sum of the schedule's entries but the last.
 */
export function retryDelay(schedule: number[], attemptsMade: number, random: () => number = Math.random): number | null {
  if (attemptsMade > schedule.length) return null;
  const upper = schedule[attemptsMade - 1]!;
  const lower = attemptsMade >= 2 ? schedule[attemptsMade - 2]! : 0;
  return Math.round(lower + random() * (upper - lower));
}

/** Statuses whose Retry-After header is honoured. */
export const RETRY_AFTER_STATUSES = new Set([429, 502, 503, 504]);

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unusable. Capped at maxMs. */
export function parseRetryAfter(value: string | null | undefined, maxMs: number, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), maxMs);
}
