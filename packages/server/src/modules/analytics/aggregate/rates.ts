import type { RecordContext } from '../../../platform/records/context.ts';
import { corporateRatesFor, type CorporateRates } from '../../billing/index.ts';

/**
 * Rates into the corporate currency for currency sums (issue 16 item 1) are billing's: exchange
 * rates are its reference data, and forecasting converts with the same rates and rules
 * (billing/exchange/corporate.ts, exported by billing's index.ts). Re-exported under the names the
 * aggregate has always used.
 */
export { forgetRates, type CorporateRates } from '../../billing/index.ts';

export const corporateRates = (ctx: RecordContext, currencies: readonly string[]): Promise<CorporateRates> => corporateRatesFor({ ctx, currencies });
