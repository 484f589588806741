import type { ParsedCondition } from './parsed.ts';

/**
 * The distinct field paths a condition reads (e.g. `amount`, `account.owner.email`), in order of
 * first use; access control checks that every segment's field is readable. Each leaf's `steps`
 * hold the resolved definitions if a caller needs them.
 */
export function conditionFields(condition: ParsedCondition): string[] {
  const paths = new Set<string>();
  const visit = (node: ParsedCondition) => {
    if (node.kind === 'leaf') paths.add(node.path);
    else node.children.forEach(visit);
  };
  visit(condition);
  return [...paths];
}
