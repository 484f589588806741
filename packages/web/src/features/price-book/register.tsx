import { registerRecordExtension } from '../../lib/extensions';
import { PriceBookPanel } from './PriceBookPanel';

/** A price book's prices, edited as a grid on its page (issue 11 item 12). */
export function registerPriceBook(): void {
  registerRecordExtension('price_book', { Main: PriceBookPanel });
}
