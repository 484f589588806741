import { documentFormat, renderEmail } from '../billing/index.ts';

type DocumentFormat = ReturnType<typeof documentFormat>;

/**
 * The reminders' Liquid templates (docs/dunning.md, "Templates"). Rendering is billing's
 * renderEmail: bounded, strict (an unknown variable is an error, shown in the preview), merge
 * values escaped in the HTML part. The variables:
 *
 *   account.name, account.email
 *   level.number, level.name, level.days_overdue, level.final (true on the last level)
 *   invoices            the account's invoices at this level, oldest due first; each with
 *                       number, invoice_date, due_date, days_overdue, open_amount, total, currency, pay_link
 *   invoice_count
 *   total               what is open on them (per currency, e.g. "$1,250.00" or "$10.00 + €20.00")
 *   fee                 the level's fee, formatted ("" when none)
 *   company, today
 */
export interface ReminderLevel {
  id: string;
  schedule: string;
  level: number;
  name: string;
  days_overdue: number;
  subject: string;
  body: string;
  fee: number | null;
  creates_task: boolean;
  final: boolean;
}

export interface ReminderInvoice {
  id: string;
  number: string | null;
  invoice_date: string | null;
  due_date: string;
  days_overdue: number;
  open_amount: string;
  total: string;
  currency: string;
  pay_link: string | null;
}

export interface ReminderAccount {
  id: string;
  name: string;
  email: string | null;
  locale: string;
}

export const DEFAULT_LEVELS: Array<Pick<ReminderLevel, 'level' | 'name' | 'days_overdue' | 'subject' | 'body' | 'fee' | 'creates_task'>> = [
  {
    level: 1,
    name: 'Friendly reminder',
    days_overdue: 3,
    fee: null,
    creates_task: false,
    subject: 'Friendly reminder: {{ invoice_count }} {% if invoice_count == 1 %}invoice{% else %}invoices{% endif %} from {{ company }} past due',
    body: [
      'Hello {{ account.name }},',
      '',
      'this is a friendly reminder that the following {% if invoice_count == 1 %}invoice is{% else %}invoices are{% endif %} past due:',
      '',
      '{% for invoice in invoices %}- {{ invoice.number }}, due {{ invoice.due_date }}: {{ invoice.open_amount }} open',
      '  Pay online: {{ invoice.pay_link | default: "see the payment instructions on the invoice" }}',
      '{% endfor %}',
      'Total open: {{ total }}',
      '',
      'If you have already paid, thank you, and please ignore this message.',
      '',
      'Kind regards,',
      '{{ company }}',
    ].join('\n'),
  },
  {
    level: 2,
    name: 'Second reminder',
    days_overdue: 10,
    fee: null,
    creates_task: false,
    subject: 'Second reminder: payment overdue ({{ total }})',
    body: [
      'Hello {{ account.name }},',
      '',
      'we have not yet received payment for the following {% if invoice_count == 1 %}invoice{% else %}invoices{% endif %}:',
      '',
      '{% for invoice in invoices %}- {{ invoice.number }}, due {{ invoice.due_date }} ({{ invoice.days_overdue }} days ago): {{ invoice.open_amount }}',
      '  Pay online: {{ invoice.pay_link | default: "see the payment instructions on the invoice" }}',
      '{% endfor %}',
      'Total open: {{ total }}{% if fee != "" %}',
      'A reminder fee of {{ fee }} applies.{% endif %}',
      '',
      'Please arrange payment within the next few days, or let us know if there is a problem with an invoice.',
      '',
      'Kind regards,',
      '{{ company }}',
    ].join('\n'),
  },
  {
    level: 3,
    name: 'Final notice',
    days_overdue: 30,
    fee: null,
    creates_task: true,
    subject: 'Final notice: {{ total }} overdue',
    body: [
      'Hello {{ account.name }},',
      '',
      'despite our earlier reminders, the following {% if invoice_count == 1 %}invoice remains{% else %}invoices remain{% endif %} unpaid:',
      '',
      '{% for invoice in invoices %}- {{ invoice.number }}, due {{ invoice.due_date }} ({{ invoice.days_overdue }} days ago): {{ invoice.open_amount }}',
      '  Pay online: {{ invoice.pay_link | default: "see the payment instructions on the invoice" }}',
      '{% endfor %}',
      'Total open: {{ total }}{% if fee != "" %}',
      'A reminder fee of {{ fee }} applies.{% endif %}',
      '',
      'Please pay immediately. Your account manager will contact you shortly.',
      '',
      'Kind regards,',
      '{{ company }}',
    ].join('\n'),
  },
];

const formats = new Map<string, DocumentFormat>();
function format(locale: string, currency: string): DocumentFormat {
  const key = `${locale}|${currency}`;
  let f = formats.get(key);
  if (!f) {
    f = documentFormat(locale, currency);
    if (formats.size < 1000) formats.set(key, f);
  }
  return f;
}

/** The merge data of one reminder e-mail. */
export function reminderData(args: { account: ReminderAccount; level: Pick<ReminderLevel, 'level' | 'name' | 'days_overdue' | 'fee' | 'final'>; invoices: ReminderInvoice[]; company: string; today: string }): Record<string, unknown> {
  const { account, level, invoices } = args;
  const locale = account.locale;
  const sums = new Map<string, number>();
  for (const i of invoices) sums.set(i.currency, (sums.get(i.currency) ?? 0) + Math.round(Number(i.open_amount) * 100));
  const currencies = [...sums.keys()];
  const total = currencies.map((c) => format(locale, c).money((sums.get(c)! / 100).toFixed(2))).join(' + ');
  const feeCurrency = currencies[0] ?? 'USD';
  return {
    account: { name: account.name, email: account.email ?? '' },
    level: { number: level.level, name: level.name, days_overdue: level.days_overdue, final: level.final },
    invoices: invoices.map((i) => {
      const f = format(locale, i.currency);
      return { number: i.number ?? '', invoice_date: f.date(i.invoice_date), due_date: f.date(i.due_date), days_overdue: i.days_overdue, open_amount: f.money(i.open_amount), total: f.money(i.total), currency: i.currency, pay_link: i.pay_link ?? '' };
    }),
    invoice_count: invoices.length,
    total,
    fee: level.fee ? format(locale, feeCurrency).money(level.fee) : '',
    company: args.company,
    today: format(locale, feeCurrency).date(args.today),
  };
}

/** Subject, text and HTML of one reminder. A template error is a 422 naming `subject` or `body`. */
export function renderReminder(template: { subject: string; body: string }, data: Record<string, unknown>) {
  return renderEmail({ subject: template.subject, body: template.body, data, link: '' });
}

/** A sample account with two overdue invoices, for the template preview and the level's save check. */
export function sampleData(args: { level: Pick<ReminderLevel, 'level' | 'name' | 'days_overdue' | 'fee' | 'final'>; company: string; today: string; publicUrl: string; account?: Partial<ReminderAccount> }): Record<string, unknown> {
  const day = (offset: number) => new Date(Date.parse(`${args.today}T00:00:00Z`) - offset * 86_400_000).toISOString().slice(0, 10);
  const d = args.level.days_overdue;
  return reminderData({
    account: { id: 'sample', name: args.account?.name ?? 'Sample Power Ltd', email: args.account?.email ?? 'accounts@sample.example', locale: args.account?.locale ?? 'en-US' },
    level: args.level,
    invoices: [
      { id: 'a', number: 'INV-2025-00017', invoice_date: day(d + 30), due_date: day(d), days_overdue: d, open_amount: '1250.00', total: '1250.00', currency: 'USD', pay_link: `${args.publicUrl}/pay/SAMPLE-LINK-1` },
      { id: 'b', number: 'INV-2025-00021', invoice_date: day(d + 32), due_date: day(d + 2), days_overdue: d + 2, open_amount: '80.50', total: '180.50', currency: 'USD', pay_link: `${args.publicUrl}/pay/SAMPLE-LINK-2` },
    ],
    company: args.company,
    today: args.today,
  });
}
