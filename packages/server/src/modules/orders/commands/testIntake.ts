import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { parseIntakeBody, type IntakeFormat } from '../intake/index.ts';
import { matchAccount, productsBySku } from './matchIntake.ts';

/**
 * The mapping editor's "Test with a sample": reads a pasted payload as the source would (its
 * format, the saved mapping or the one being edited) and says which account and products it
 * would match — nothing is stored, no signature needed (the caller must be able to see the source).
 */
export function testIntakeSample(args: { ctx: RecordContext; id: string; sample: string; mapping?: string; contentType?: string }) {
  return inTransaction(args.ctx, async (ctx) => {
    const source = await getRecord({ ctx, object: ctx.platform.registry.requireObject('order_intake_source'), id: args.id });
    let mapping: unknown;
    const text = args.mapping ?? (source.mapping as string | null);
    try {
      mapping = text ? JSON.parse(text) : undefined;
    } catch {
      return { order: null, problems: [{ field: 'mapping', code: 'json_malformed', message: 'The mapping is not valid JSON' }], matches: {} };
    }
    const parsed = parseIntakeBody({
      body: Buffer.from(args.sample, 'utf8'), format: source.format as IntakeFormat, mapping, limits: { maxBytes: Number(source.max_body_kb ?? 1024) * 1024 },
      ...(args.contentType ? { contentType: args.contentType } : {}),
    });
    if (!parsed.order) return { order: null, problems: parsed.problems, matches: {} };
    const account = await matchAccount(ctx, parsed.order);
    const products = await productsBySku(ctx, parsed.order.lines.map((l) => l.sku));
    return {
      order: parsed.order as unknown as Record<string, unknown>,
      problems: parsed.problems,
      matches: {
        account: account.account?.id ?? null,
        accountProblem: account.problem?.message ?? null,
        unknownSkus: parsed.order.lines.map((l) => l.sku).filter((s) => !products.has(s.toLowerCase())),
      },
    };
  });
}
