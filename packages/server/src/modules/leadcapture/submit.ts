import { sql } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import { AppError, badRequest, notFound, validationFailed } from '../../platform/errors.ts';
import { asSystem, inTransaction, systemActor, type TxContext } from '../../platform/records/context.ts';
import { createRecord } from '../../platform/records/write.ts';
import { listRecords } from '../../platform/records/read.ts';
import { parseFormFields, UTM_FIELDS, type FormField } from './form.ts';
import { checkFormToken, checkProofOfWork, countBlocked, issueFormToken, overRateLimit, useToken, type BlockReason } from './spam.ts';
import { leadCaptureSettings } from './settings.ts';

export interface WebFormRow {
  id: string; name: string; fields: string; source: string | null; campaign: string | null; thank_you: string | null;
  redirect_url: string | null; min_seconds: string | null; proof_of_work: boolean; public_id: string;
}

/** An active form by its public id (404 for an unknown, deleted or inactive one: nothing tells them apart). */
export async function loadPublicForm(platform: Platform, publicId: string): Promise<WebFormRow> {
  const table = sql.table(platform.registry.requireObject('web_form').table);
  const r = await sql<WebFormRow>`SELECT id, name, fields, source, campaign, thank_you, redirect_url, min_seconds::text, proof_of_work, public_id
    FROM ${table} WHERE public_id = ${publicId} AND active AND deleted_at IS NULL`.execute(platform.db);
  if (!r.rows[0]) throw notFound('The form');
  return r.rows[0];
}

export interface PublicForm {
  name: string;
  fields: FormField[];
  honeypot: string;
  token: string;
  pow: { bits: number } | null;
  thankYou: string | null;
  redirectUrl: string | null;
}

/** What a visitor's page needs: the fields, a fresh token (the clock of "too fast" starts now), the challenge if any. */
export async function getPublicForm(platform: Platform, publicId: string): Promise<PublicForm> {
  const form = await loadPublicForm(platform, publicId);
  return {
    name: form.name,
    fields: parseFormFields(form.fields, platform.registry.requireObject('lead')),
    honeypot: 'website_url',
    token: issueFormToken(platform, form.id),
    pow: form.proof_of_work ? { bits: leadCaptureSettings.of(platform).powBits } : null,
    thankYou: form.redirect_url ? null : form.thank_you,
    redirectUrl: form.redirect_url,
  };
}

export interface SubmitBody {
  token: string;
  values: Record<string, unknown>;
  website_url?: string;
  pow?: string;
  utm?: Partial<Record<(typeof UTM_FIELDS)[number], string>>;
}

export interface SubmitAnswer { message: string | null; redirectUrl: string | null }

class Blocked extends Error {
  readonly reason: BlockReason;
  constructor(reason: BlockReason) {
    super(reason);
    this.reason = reason;
  }
}

const BLOCKED_MESSAGES: Partial<Record<BlockReason, [string, string]>> = {
  too_fast: ['token', 'The form was sent too quickly after it was opened; wait a moment and send it again'],
  expired: ['token', 'The form has expired; reload the page and send it again'],
  invalid_token: ['token', 'The form is not valid; reload the page and send it again'],
  replay: ['token', 'This form was sent already; reload the page to send it again'],
  pow: ['pow', 'The browser check did not complete; reload the page and send it again'],
};

/** The visitor's values: only the form's fields, required ones present, plain strings or numbers. */
function formValues(fields: FormField[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(values)) if (!fields.some((f) => f.name === key)) throw badRequest(`'${key}' is not a field of this form`, [{ field: `values.${key}`, code: 'unknown_field', message: 'Not a field of this form' }]);
  const missing = [];
  for (const f of fields) {
    const v = values[f.name];
    const text = typeof v === 'string' ? v.trim() : v;
    if (text === undefined || text === null || text === '') {
      if (f.required) missing.push({ field: `values.${f.name}`, code: 'required', message: `${f.label} is required` });
      continue;
    }
    if (typeof text !== 'string' && typeof text !== 'number') throw badRequest(`${f.label} is text`, [{ field: `values.${f.name}`, code: 'invalid', message: 'A text value' }]);
    out[f.name] = f.type === 'number' ? Number(text) : text;
  }
  if (missing.length) throw validationFailed(missing);
  return out;
}

/**
 * A form's submission (issue 14 item 8): the per-IP limit, the honeypot (answered like a success,
 * so a bot learns nothing), the token's age and single use, the proof of work; then, in one
 * transaction, the lead — or, when the e-mail is a contact's or the lead's duplicate rules find
 * it, the existing record — and the submission attached to it. Blocked attempts are counted per
 * form and write nothing else.
 */
export async function submitWebForm(args: { platform: Platform; publicId: string; body: SubmitBody; ip: string }): Promise<SubmitAnswer> {
  const { platform, body } = args;
  const form = await loadPublicForm(platform, args.publicId);
  const answer: SubmitAnswer = { message: form.redirect_url ? null : form.thank_you, redirectUrl: form.redirect_url };
  const block = async (reason: BlockReason): Promise<never> => {
    await countBlocked(platform, form.id, reason);
    if (reason === 'rate_limit') throw new AppError('rate_limited', 'Too many submissions from your address; try again later');
    const [field, message] = BLOCKED_MESSAGES[reason]!;
    throw validationFailed([{ field, code: reason, message }], message);
  };
  if (await overRateLimit(platform, args.ip)) await block('rate_limit');
  if (typeof body.website_url === 'string' && body.website_url.trim() !== '') {
    await countBlocked(platform, form.id, 'honeypot');
    return answer;
  }
  const token = checkFormToken(platform, form.id, body.token, Number(form.min_seconds ?? 0));
  if ('blocked' in token) await block(token.blocked);
  if (form.proof_of_work && !checkProofOfWork(body.token, body.pow, leadCaptureSettings.of(platform).powBits)) await block('pow');
  const fields = parseFormFields(form.fields, platform.registry.requireObject('lead'));
  const values = formValues(fields, body.values ?? {});
  const utm = Object.fromEntries(UTM_FIELDS.filter((k) => typeof body.utm?.[k] === 'string' && body.utm[k]!.trim()).map((k) => [k, body.utm![k]!.trim().slice(0, 255)]));
  try {
    await inTransaction({ platform, actor: systemActor('api') }, async (ctx) => {
      if (!(await useToken(ctx.trx, body.token))) throw new Blocked('replay');
      await captureLead(ctx, {
        values: { ...values, ...utm, ...(form.source ? { source: form.source } : {}), ...(form.campaign ? { campaign: form.campaign } : {}) },
        webForm: form.id, channel: 'form', label: form.name,
      });
    });
  } catch (error) {
    if (error instanceof Blocked) await block(error.reason);
    throw error;
  }
  return answer;
}

/**
 * One captured lead (a form or an e-mail): attached to the contact with the same e-mail, else
 * created as a lead — and when sales' duplicate rules find the lead already (same e-mail or
 * phone), attached to that lead instead. Either way a form_submission records what came in.
 */
export async function captureLead(ctx: TxContext, args: { values: Record<string, unknown>; webForm?: string; channel: 'form' | 'email'; label: string }): Promise<{ outcome: 'created' | 'attached'; lead: string | null; contact: string | null }> {
  const sys = asSystem(ctx);
  const registry = ctx.platform.registry;
  const email = typeof args.values.email === 'string' ? args.values.email.toLowerCase() : null;
  let found: { lead: string | null; contact: string | null; outcome: 'created' | 'attached' } | null = null;
  if (email) {
    const contacts = await listRecords({ ctx: sys, object: registry.requireObject('contact'), where: sql<boolean>`lower(t0.email) = ${email}`, fields: ['id'], limit: 1 });
    if (contacts.data[0]) found = { lead: null, contact: contacts.data[0].id, outcome: 'attached' };
  }
  if (!found) {
    try {
      const lead = await createRecord({ ctx: sys, object: registry.requireObject('lead'), input: args.values, options: { ...(args.webForm ? { systemValues: { web_form: args.webForm } } : {}) } });
      found = { lead: lead.id, contact: null, outcome: 'created' };
    } catch (error) {
      const candidates = error instanceof AppError && error.code === 'duplicate' ? (error.extra?.candidates as Array<{ id: string }> | undefined) : undefined;
      if (!candidates?.[0]) throw error;
      found = { lead: candidates[0].id, contact: null, outcome: 'attached' };
    }
  }
  const submitted = JSON.stringify(args.values, null, 1).slice(0, 20_000);
  await createRecord({
    ctx: sys, object: registry.requireObject('form_submission'), input: {},
    options: { systemValues: { name: `${args.label} — ${String(args.values.email ?? args.values.last_name ?? '')}`.slice(0, 255), web_form: args.webForm ?? null, channel: args.channel, outcome: found.outcome, lead: found.lead, contact: found.contact, email, submitted } },
  });
  return found;
}

