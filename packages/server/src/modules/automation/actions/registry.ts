import type { FieldError } from '../../../platform/errors.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { Registry } from '../../../platform/metadata/registry.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import type { Phase } from '../objects.ts';

/** What an action checks its configuration against when the rule is saved. */
export interface ActionCheck {
  config: Record<string, unknown>;
  object: ObjectDefinition;
  registry: Registry;
  /** Where errors point, e.g. `actions[2]`; a FieldError's field is `${path}.<key>`. */
  path: string;
  errors: FieldError[];
  phase: Phase;
}

/** What an action runs with: the dispatcher's transaction (as the system, attributed to the rule's triggering user). */
export interface ActionRun<C> {
  ctx: TxContext;
  config: C;
  object: ObjectDefinition;
  record: ApiRecord;
  /** record.<field>, <lookup>.<field>, today, now — for templates. */
  scope: Record<string, unknown>;
  rule: { id: string; name: string; owner: string | null };
  /** The user whose change triggered the run (null for the system). */
  actedFor: string | null;
  /** Work to do once the run's transaction committed (an e-mail, a webhook call). */
  afterCommit(fn: () => Promise<void>): void;
}

/**
 * An action a rule may take. Later modules add theirs (add to campaign, start a sequence) with
 * registerAutomationAction; a rule naming a type nobody registered is refused on save.
 */
export interface AutomationAction<C = Record<string, unknown>> {
  type: string;
  label: string;
  /** Phases the action may run in; before-save actions only change the record being saved. */
  phases: readonly Phase[];
  /**
   * True when everything the action does is in the run's transaction or after its commit (record
   * writes, notifications, outbox events): undoing the transaction undoes it. The worker runs a
   * batch of such runs without a savepoint per run (and re-runs the batch with savepoints if one
   * fails). Leave it unset for an action that reaches outside while it runs (an e-mail, an SMS):
   * its runs always get their own savepoint, so another run's failure never repeats it.
   */
  transactional?: boolean;
  /** Checks the configuration, pushing errors; answers the canonical configuration. */
  check(args: ActionCheck): C;
  /** Does it; answers a short summary for the log. */
  run(args: ActionRun<C>): Promise<Record<string, unknown>>;
  /** The dry run: what it would do, without doing it. */
  describe(args: Omit<ActionRun<C>, 'afterCommit'>): Promise<string>;
}

const actions = new Map<string, AutomationAction<any>>();

export function registerAutomationAction<C>(action: AutomationAction<C>): void {
  if (!/^[a-z][a-z0-9_]*$/.test(action.type)) throw new Error(`Automation action type '${action.type}' must be lower-case letters, digits and _`);
  actions.set(action.type, action as AutomationAction<any>);
}

export function automationAction(type: string): AutomationAction<any> | undefined {
  return actions.get(type);
}

export function automationActionTypes(): string[] {
  return [...actions.keys()];
}
