import { Liquid } from 'liquidjs';
import { ruleViolation } from '../../../../platform/errors.ts';

/**
 * Liquid for e-mails customers receive. Templates are written by staff but still treated as
 * untrusted: parse and render are bounded (a loop cannot run away), unknown variables and
 * filters are errors (a typo shows in the preview instead of an empty greeting), and merge
 * values are escaped in the HTML part.
 */
const LIMITS = { parseLimit: 100_000, renderLimit: 1_000, memoryLimit: 10_000_000 };
const text = new Liquid({ strictVariables: true, strictFilters: true, ...LIMITS });

export const DEFAULT_QUOTE_TEMPLATE = {
  subject: 'Quote {{ quote.number }}{% if quote.title %}: {{ quote.title }}{% endif %}',
  body: [
    'Hello {{ contact.first_name | default: contact.full_name | default: "there" }},',
    '',
    'thank you for your interest. Please find our quote {{ quote.name }} for {{ account.name }} attached, for {{ quote.total }}{% if quote.valid_until %}, valid until {{ quote.valid_until }}{% endif %}.',
    '',
    'You can read it, choose optional items and accept it online:',
    '{{ link }}',
    '',
    'Kind regards,',
    '{{ sender.full_name }}',
    '{{ sender.email }}',
  ].join('\n'),
};

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The HTML part from the rendered text: paragraphs, line breaks, and the one link made clickable. */
function htmlOf(body: string, link: string): string {
  const paragraphs = body.split(/\n{2,}/).map((p) => {
    const lines = p.split('\n').map((line) => (line.trim() === link ? `<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>` : escapeHtml(line)));
    return `<p>${lines.join('<br>')}</p>`;
  });
  return `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#222">${paragraphs.join('\n')}</body></html>`;
}

/**
 * Parsed templates by their text: a run rendering thousands of reminders from a handful of
 * templates parses each once. Bounded; a template edited gets a new entry.
 */
const parsed = new Map<string, ReturnType<typeof text.parse>>();
function parseCached(template: string): ReturnType<typeof text.parse> {
  let tpl = parsed.get(template);
  if (!tpl) {
    tpl = text.parse(template);
    if (parsed.size >= 200) parsed.delete(parsed.keys().next().value!);
    parsed.set(template, tpl);
  }
  return tpl;
}

async function renderOne(template: string, data: Record<string, unknown>, field: string): Promise<string> {
  try {
    return await text.render(parseCached(template), data);
  } catch (error) {
    throw ruleViolation([{ field, code: 'template_error', message: `The template cannot be used: ${(error as Error).message.split('\n')[0]}` }]);
  }
}

/** Subject (one line), text and HTML parts of a template with the merge data. */
export async function renderEmail(args: { subject: string; body: string; data: Record<string, unknown>; link: string }): Promise<RenderedEmail> {
  const subject = (await renderOne(args.subject, args.data, 'subject')).replace(/\s+/g, ' ').trim();
  const body = (await renderOne(args.body, args.data, 'body')).replace(/\r\n?/g, '\n').trim();
  return { subject, text: `${body}\n`, html: htmlOf(body, args.link) };
}

/** Refuses a template that does not parse, naming the field (the record pipeline's rule). */
export function checkTemplate(fields: { subject?: unknown; body?: unknown }): void {
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    try {
      text.parse(value);
    } catch (error) {
      throw ruleViolation([{ field, code: 'template_error', message: `Not a valid template: ${(error as Error).message.split('\n')[0]}` }]);
    }
  }
}
