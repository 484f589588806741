import type { RecordContext } from '../../../platform/records/context.ts';

/**
 * Which rule run is writing, carried on the context of the run's writes (a symbol key survives
 * asSystem's copy): the rule does not trigger itself on its own write, and rules triggering
 * rules are stopped at the depth limit.
 */
export interface Chain {
  depth: number;
  /** `<rule name> on <object> <record id>` for each run up the chain, the log's "where". */
  path: string[];
  ruleId: string;
}

const CHAIN = Symbol.for('meridian.automation.chain');

export function chainOf(ctx: RecordContext): Chain | undefined {
  return (ctx as unknown as Record<symbol, Chain | undefined>)[CHAIN];
}

export function withChain<C extends RecordContext>(ctx: C, chain: Chain): C {
  return { ...ctx, [CHAIN]: chain };
}
