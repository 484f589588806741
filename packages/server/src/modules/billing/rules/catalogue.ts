import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { InputCheck } from '../money/index.ts';
import { billingSettings } from '../settings.ts';
import { isBlank, refuse } from '../context.ts';

/** A product's cost is money in the corporate currency: ≥ 0, with at most its minor digits. */
export function checkProduct({ ctx, merged }: BeforeSaveArgs): void {
  if (isBlank(merged.cost)) return;
  const check = new InputCheck();
  check.money('cost', merged.cost, billingSettings.of(ctx.platform).corporateCurrency);
  check.throwIfAny();
}

/** Unit codes are compared case-insensitively in the price API, so they are stored lower-case. */
export function normaliseUnitCode({ data }: BeforeSaveArgs): void {
  if (typeof data.code === 'string') data.code = data.code.trim().toLowerCase();
}

/** A tax rate is a percentage from 0 to 100 with at most 6 decimals. */
export function checkTaxRate({ merged }: BeforeSaveArgs): void {
  const check = new InputCheck();
  check.decimal('rate', merged.rate, { min: 0, max: 100, places: 6 });
  check.throwIfAny();
}

/** A tax-exempt account must carry its exemption certificate number (auditors ask for it). */
export function requireExemptionCertificate({ merged, data }: BeforeSaveArgs): void {
  if (!('tax_exempt' in data) && !('tax_exemption_certificate' in data)) return;
  if (merged.tax_exempt === true && isBlank(merged.tax_exemption_certificate)) {
    refuse('tax_exemption_certificate', 'required', 'A tax-exempt account needs its exemption certificate number');
  }
}

/** A spec belongs to one product for good: moving it would re-price other products' entries. */
export async function keepSpecProduct({ previous, data }: BeforeSaveArgs): Promise<void> {
  if (previous && 'product' in data && data.product !== previous.product) refuse('product', 'immutable', "A spec's product cannot change; create a spec on the other product");
}
