import type { Platform } from '../../../platform/kernel.ts';

/** What the pay page offers besides the invoice: a button posting to `action` (payments: "Pay now"). */
export interface PayPageAction {
  label: string;
  /** A same-origin path the button's form posts to. */
  action: string;
}

export type PayPageActionSource = (invoice: { id: string; token: string; status: string; kind: string }) => PayPageAction | null;

const sources = new WeakMap<Platform, PayPageActionSource>();

/**
 * The pay page's hook point (pay/routes.ts): a module registered after invoicing — payments, with
 * its online payment — sets what the page offers, so invoicing never imports it. Per platform.
 */
export function setPayPageAction(platform: Platform, source: PayPageActionSource): void {
  sources.set(platform, source);
}

export function payPageAction(platform: Platform, invoice: Parameters<PayPageActionSource>[0]): PayPageAction | null {
  return sources.get(platform)?.(invoice) ?? null;
}
