import { dateTimeFormat, numberFormat } from '../lib/format';

/** Money and dates in the visitor's own locale (the browser's). Amounts arrive as exact decimal strings. */
export function money(amount: string | number | null | undefined, currency: string): string {
  const n = Number(amount ?? 0);
  try {
    return numberFormat(undefined, { style: 'currency', currency: currency || 'USD' }).format(n);
  } catch {
    return `${n.toFixed(2)} ${currency}`;
  }
}

/** A calendar day (YYYY-MM-DD) or a timestamp, as a medium date. */
export function day(value: string | null | undefined): string {
  if (!value) return '—';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  return dateTimeFormat(undefined, { dateStyle: 'medium', ...(/^\d{4}-\d{2}-\d{2}$/.test(value) ? { timeZone: 'UTC' } : {}) }).format(d);
}

const LABELS: Record<string, string> = {
  posted: 'Open', partially_paid: 'Partly paid', paid: 'Paid', void: 'Cancelled', sent: 'Awaiting your answer', viewed: 'Awaiting your answer',
  accepted: 'Accepted', declined: 'Declined', expired: 'Expired', received: 'Received', confirmed: 'Confirmed', in_production: 'In production',
  completed: 'Completed', cancelled: 'Cancelled', reversed: 'Reversed', credit_note: 'Credit note', invoice: 'Invoice', payment: 'Payment',
};
export const statusLabel = (s: string) => LABELS[s] ?? s.replaceAll('_', ' ');
