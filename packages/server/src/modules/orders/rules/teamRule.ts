import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { asSystem } from '../../../platform/records/context.ts';
import { isBlank, readRecord } from '../../billing/index.ts';

/** A team rule's name says what it matches: "Print team ← Acme · part · Matte", or "every order line". */
export async function nameTeamRule({ ctx, data, merged }: BeforeSaveArgs): Promise<void> {
  const sys = asSystem(ctx);
  const name = async (object: string, id: unknown) => (isBlank(id) ? null : String((await readRecord(sys, object, String(id), ['name'])).name));
  const team = await name('production_team', merged.team);
  const parts = [await name('account', merged.account), isBlank(merged.product_type) ? null : String(merged.product_type), await name('product_spec', merged.product_spec)].filter(Boolean);
  data.name = `${team} ← ${parts.length ? parts.join(' · ') : 'every order line'}`;
}
