/**
 * The opportunity stage machine (SAL-9), pure so it can be tested without a database. Stages
 * come from pipeline_stage records; DEFAULT_STAGES is what a new installation gets and what an
 * opportunity falls back to when its pipeline has no stages.
 *
 * Rules:
 * - moving forward (to a higher `order`) is always allowed, skipping stages included;
 * - moving back is allowed only to the stages the current stage lists in `allowed_backward`;
 * - won, partially won and lost stages are terminal: nothing leaves them, backwards or
 *   "forwards" (won → lost), except to stages the terminal stage lists in `allowed_backward`
 *   (an admin may allow re-opening lost deals that way; the default pipeline allows none).
 */
export interface Stage {
  api_value: string;
  name: string;
  order: number;
  probability: number | null;
  forecast_category: string | null;
  is_won: boolean;
  is_lost: boolean;
  is_partial: boolean;
  required_fields: string[];
  allowed_backward: string[];
}

export const isTerminal = (s: Stage) => s.is_won || s.is_lost;

const stage = (api_value: string, name: string, order: number, probability: number, forecast_category: string, extra: Partial<Stage> = {}): Stage => ({
  api_value, name, order, probability, forecast_category, is_won: false, is_lost: false, is_partial: false, required_fields: [], allowed_backward: [], ...extra,
});

export const DEFAULT_STAGES: Stage[] = [
  stage('prospecting', 'Prospecting', 1, 10, 'pipeline'),
  stage('qualification', 'Qualification', 2, 20, 'pipeline', { allowed_backward: ['prospecting'] }),
  stage('needs_analysis', 'Needs analysis', 3, 30, 'pipeline', { allowed_backward: ['qualification'] }),
  stage('proposal', 'Proposal', 4, 50, 'best_case', { required_fields: ['amount', 'close_date'], allowed_backward: ['qualification', 'needs_analysis'] }),
  stage('negotiation', 'Negotiation', 5, 75, 'commit', { required_fields: ['amount'], allowed_backward: ['needs_analysis', 'proposal'] }),
  stage('closed_won', 'Closed won', 6, 100, 'closed', { is_won: true, required_fields: ['amount'] }),
  stage('partially_won', 'Partially won', 7, 100, 'closed', { is_won: true, is_partial: true, required_fields: ['won_amount'] }),
  stage('closed_lost', 'Closed lost', 8, 0, 'omitted', { is_lost: true, required_fields: ['lost_reason'] }),
];

export type TransitionCheck = { ok: true } | { ok: false; message: string };

export function checkTransition(from: Stage | undefined, to: Stage): TransitionCheck {
  if (!from || from.api_value === to.api_value) return { ok: true };
  if (from.allowed_backward.includes(to.api_value)) return { ok: true };
  if (isTerminal(from)) {
    const what = from.is_lost ? 'lost' : 'won';
    return { ok: false, message: `This deal is ${what} (${from.name}); a closed deal cannot move to ${to.name}` };
  }
  if (to.order > from.order) return { ok: true };
  const back = from.allowed_backward.length ? ` (allowed back: ${from.allowed_backward.join(', ')})` : '';
  return { ok: false, message: `Moving back from ${from.name} to ${to.name} is not allowed${back}` };
}

/** Fields `stage` requires that are empty in `record`. */
export function missingRequiredFields(stage: Stage, record: Record<string, unknown>): string[] {
  return stage.required_fields.filter((f) => {
    const v = record[f];
    return v === null || v === undefined || v === '';
  });
}
