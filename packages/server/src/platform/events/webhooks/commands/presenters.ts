
/** How subscriptions and deliveries are answered (the secret never; its hint only). */
export interface SubscriptionRow {
  id: string;
  url: string;
  events: string[];
  condition: unknown;
  condition_object: string | null;
  description: string | null;
  active: boolean;
  secret_hint: string;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  disabled_at: Date | null;
  disabled_reason: string | null;
  failing_since: Date | null;
  consecutive_dead_letters: number;
}

export const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function present(s: SubscriptionRow) {
  return {
    id: s.id,
    url: s.url,
    events: s.events,
    condition: s.condition ?? null,
    description: s.description,
    active: s.active,
    secretHint: s.secret_hint,
    createdBy: s.created_by,
    createdAt: iso(s.created_at),
    updatedAt: iso(s.updated_at),
    disabledAt: iso(s.disabled_at),
    disabledReason: s.disabled_reason,
    failingSince: iso(s.failing_since),
    consecutiveDeadLetters: s.consecutive_dead_letters,
  };
}

export interface DeliveryRow {
  seq: string;
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  object: string;
  record_id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  response_code: number | null;
  duration_ms: number | null;
  error: string | null;
  replay_of: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export function presentDelivery(d: DeliveryRow) {
  const open = ['pending', 'delivering', 'retrying'].includes(d.status);
  return {
    id: d.id,
    webhookId: d.subscription_id,
    eventId: d.event_id,
    eventType: d.event_type,
    object: d.object,
    recordId: d.record_id,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: open ? iso(d.next_attempt_at) : null,
    lastAttemptAt: iso(d.last_attempt_at),
    responseCode: d.response_code,
    durationMs: d.duration_ms,
    error: d.error,
    replayOf: d.replay_of,
    createdAt: iso(d.created_at),
    completedAt: iso(d.completed_at),
  };
}
