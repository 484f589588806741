import { sql } from 'kysely';
import { uuidv7 } from '../../platform/ids.ts';
import { AppError, ruleViolation, unauthenticated } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { canSendMail, sendMail } from '../../platform/mail.ts';
import { requestGate } from '../../platform/auth/gate.ts';
import { writeAudit } from '../../platform/events/audit.ts';
import { inTransaction, systemActor, type Actor, type RecordContext } from '../../platform/records/context.ts';
import { listRecords } from '../../platform/records/read.ts';
import { loadForUpdate } from '../../platform/records/write.ts';
import { billingSettings, isBlank, readRecord } from '../billing/index.ts';
import { portalSettings } from './settings.ts';
import { hashToken, isWellFormedToken, newToken } from './tokens.ts';
import { logPortalAccess } from './log.ts';

/**
 * Signing in to the portal (docs/portal.md): staff grant a contact access by inviting them; the
 * contact asks for a link with their e-mail address whenever they want to sign in. A link works
 * once, for MERIDIAN_PORTAL_LINK_MINUTES (15), for one contact; only its SHA-256 is stored.
 * Revoking a contact's access ends every link and session of theirs at once.
 */

/** Who the portal acts as: the system, through the portal channel (history says "via portal"). */
export const portalActor = (): Actor => ({ ...systemActor('portal') });

export interface RequestMeta {
  ip: string;
  userAgent?: string | null;
}

/** The sign-in page's URL with the token in the fragment (never sent to a server, never in a Referer). */
export const signInUrl = (platform: Platform, token: string) => `${platform.config.publicUrl}/portal/link#${token}`;

/** The limits on asking for links, counted in the shared counters (auth/gate.ts): per e-mail address and per IP. */
export async function checkLinkLimits(platform: Platform, email: string, ip: string): Promise<{ retryAfterSeconds: number; what: string } | undefined> {
  const s = portalSettings.of(platform);
  const keys: Array<{ key: string; max: number; what: string }> = [];
  if (s.linksPerIp > 0) keys.push({ key: `portal-link:ip:${ip}`, max: s.linksPerIp, what: 'sign-in links requested from your address' });
  if (s.linksPerAddress > 0) keys.push({ key: `portal-link:email:${email}`, max: s.linksPerAddress, what: 'sign-in links requested for this e-mail address' });
  if (!keys.length) return undefined;
  const result = await requestGate(platform).pass({ hits: keys.map((k) => k.key), windowMs: s.linkWindowMinutes * 60_000 });
  const over = keys.findIndex((k, i) => result.counts[i]! > k.max);
  return over < 0 ? undefined : { retryAfterSeconds: Math.max(1, Math.ceil(result.resetMs / 1000)), what: keys[over]!.what };
}

export const tooManyLinks = (limit: { retryAfterSeconds: number; what: string }) =>
  new AppError('rate_limited', `Too many ${limit.what}; retry in ${Math.ceil(limit.retryAfterSeconds / 60)} min (see Retry-After)`);

interface LinkMail {
  to: string;
  name: string;
  account: string;
  url: string;
  minutes: number;
  invited: boolean;
}

function linkMessage(platform: Platform, m: LinkMail) {
  const company = billingSettings.of(platform).companyName;
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const intro = m.invited ? `${company} invites you to its customer portal for ${m.account}.` : `Here is your link to sign in to the ${company} customer portal for ${m.account}.`;
  const text = `Hello ${m.name},\n\n${intro}\n\nSign in: ${m.url}\n\nThe link works once and for ${m.minutes} minutes. If you did not ask for it, ignore this e-mail: nobody can sign in without it.\n\nNext time, ask for a new link at ${platform.config.publicUrl}/portal/sign-in\n`;
  const html = `<p>Hello ${esc(m.name)},</p><p>${esc(intro)}</p><p><a href="${esc(m.url)}">Sign in to the customer portal</a></p>
<p>The link works once and for ${m.minutes} minutes. If you did not ask for it, ignore this e-mail: nobody can sign in without it.</p>
<p>Next time, ask for a new link at <a href="${esc(platform.config.publicUrl)}/portal/sign-in">${esc(platform.config.publicUrl)}/portal/sign-in</a>.</p>`;
  return { to: m.to, subject: `Sign in to the ${company} customer portal`, text, html };
}

/** A new link for a contact who has access, stored hashed; answers the token and its minutes. */
async function createLink(db: RecordContext['trx'] | Platform['db'], platform: Platform, contactId: string, ip: string | null, invitedBy: string | null) {
  const token = newToken();
  const minutes = portalSettings.of(platform).linkMinutes;
  await sql`INSERT INTO portal_sign_in_link (id, contact_id, token_hash, expires_at, requested_ip, invited_by)
    VALUES (${uuidv7()}, ${contactId}::uuid, ${hashToken(token)}, now() + make_interval(mins => ${minutes}), ${ip}, ${invitedBy}::uuid)`.execute(db!);
  return { token, minutes };
}

interface ContactRow {
  id: string;
  email: string;
  name: string;
  accountId: string;
  accountName: string;
}

async function contactForMail(ctx: RecordContext, id: string): Promise<ContactRow | null> {
  const c = await readRecord(ctx, 'contact', id, ['full_name', 'email', 'account']).catch(() => null);
  if (!c || isBlank(c.email) || isBlank(c.account)) return null;
  const a = await readRecord(ctx, 'account', String(c.account), ['name']).catch(() => null);
  if (!a) return null;
  return { id, email: String(c.email), name: String(c.full_name || c.email), accountId: String(c.account), accountName: String(a.name ?? '') };
}

/**
 * "Send me a link" (the route checks checkLinkLimits first): answers the same whatever the address (known, unknown, without access), so
 * the page tells nobody who is a customer. The e-mail goes out after the answer, so timing tells
 * nothing either; a failure is logged.
 */
export async function requestSignInLink(args: { platform: Platform; email: string; meta: RequestMeta }): Promise<void> {
  const { platform, meta } = args;
  const email = args.email.trim().toLowerCase();
  const ctx: RecordContext = { platform, actor: portalActor() };
  const contacts = await listRecords({ ctx, object: platform.registry.requireObject('contact'), filter: { field: 'email', op: 'eq', value: email }, fields: ['email', 'account'], limit: 20 });
  const candidates = contacts.data.filter((c) => String(c.email ?? '').toLowerCase() === email && !isBlank(c.account)).map((c) => c.id);
  if (!candidates.length) return;
  const granted = await sql<{ contact_id: string }>`SELECT contact_id FROM portal_access WHERE contact_id = ANY(${candidates}::uuid[]) AND revoked_at IS NULL`.execute(platform.db);
  const mails: ReturnType<typeof linkMessage>[] = [];
  for (const { contact_id: id } of granted.rows) {
    const contact = await contactForMail(ctx, id);
    if (!contact) continue;
    const { token, minutes } = await createLink(platform.db, platform, id, meta.ip, null);
    await logPortalAccess(platform.db, id, { action: 'link_requested', ip: meta.ip, userAgent: meta.userAgent ?? null });
    mails.push(linkMessage(platform, { to: contact.email, name: contact.name, account: contact.accountName, url: signInUrl(platform, token), minutes, invited: false }));
  }
  setImmediate(() => {
    void (async () => {
      for (const m of mails) {
        try {
          await sendMail(platform, m);
        } catch (error) {
          platform.logger.error({ err: error }, 'portal: could not send a sign-in link');
        }
      }
    })();
  });
}

export interface PortalAccessStatus {
  contactId: string;
  email: string | null;
  state: 'none' | 'granted' | 'revoked';
  grantedAt: string | null;
  revokedAt: string | null;
  activeSessions: number;
  lastSignInAt: string | null;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** A contact's portal access as staff see it (read access to the contact is required: else 404). */
export async function accessStatus(ctx: RecordContext, contactId: string): Promise<PortalAccessStatus> {
  const contact = await readRecord(ctx, 'contact', contactId, ['email']);
  const a = await sql<{ granted_at: Date; revoked_at: Date | null }>`SELECT granted_at, revoked_at FROM portal_access WHERE contact_id = ${contact.id}::uuid`.execute(ctx.platform.db);
  const s = await sql<{ n: number }>`SELECT count(*)::int AS n FROM portal_session WHERE contact_id = ${contact.id}::uuid AND expires_at > now()`.execute(ctx.platform.db);
  const last = await sql<{ at: Date }>`SELECT max(occurred_at) AS at FROM portal_access_log WHERE contact_id = ${contact.id}::uuid AND action = 'signed_in'`.execute(ctx.platform.db);
  const row = a.rows[0];
  return {
    contactId: contact.id, email: isBlank(contact.email) ? null : String(contact.email),
    state: !row ? 'none' : row.revoked_at ? 'revoked' : 'granted', grantedAt: iso(row?.granted_at), revokedAt: iso(row?.revoked_at),
    activeSessions: Number(s.rows[0]?.n ?? 0), lastSignInAt: iso(last.rows[0]?.at),
  };
}

/**
 * Staff invite a contact (edit access to the contact needed): access is granted (again, after a
 * revocation) and a sign-in link is e-mailed to the contact's address, in one transaction with
 * the audit entry; if the e-mail cannot go out, nothing is granted.
 */
export async function inviteContact(args: { ctx: RecordContext; contactId: string; meta: RequestMeta }): Promise<PortalAccessStatus> {
  const { meta } = args;
  await inTransaction(args.ctx, async (ctx) => {
    const contact = await loadForUpdate(ctx, ctx.platform.registry.requireObject('contact'), args.contactId, { mode: 'edit' });
    if (isBlank(contact.email)) throw ruleViolation([{ field: 'email', code: 'required', message: 'The contact needs an e-mail address to sign in to the portal' }]);
    if (isBlank(contact.account)) throw ruleViolation([{ field: 'account', code: 'required', message: 'The contact must belong to an account to use the portal' }]);
    if (!canSendMail(ctx.platform)) throw new AppError('unavailable', 'Outgoing e-mail is not set up (MERIDIAN_SMTP_URL): the invitation cannot be sent');
    const sys = { ...ctx, actor: portalActor() };
    const mailTo = await contactForMail(sys, contact.id);
    if (!mailTo) throw ruleViolation([{ field: 'account', code: 'required', message: 'The contact must belong to an account to use the portal' }]);
    await sql`INSERT INTO portal_access (contact_id, granted_by) VALUES (${contact.id}::uuid, ${ctx.actor.userId}::uuid)
      ON CONFLICT (contact_id) DO UPDATE SET granted_at = now(), granted_by = EXCLUDED.granted_by, revoked_at = NULL, revoked_by = NULL`.execute(ctx.trx);
    const { token, minutes } = await createLink(ctx.trx, ctx.platform, contact.id, meta.ip, ctx.actor.userId);
    await logPortalAccess(ctx.trx, contact.id, { action: 'invited', detail: `by user ${ctx.actor.userId ?? 'system'}`, ip: meta.ip, userAgent: meta.userAgent ?? null });
    await writeAudit(ctx.trx, { action: 'portal.invited', actor: ctx.actor, ip: meta.ip, userAgent: meta.userAgent ?? null, target: { type: 'contact', id: contact.id }, details: { email: mailTo.email } });
    await sendMail(ctx.platform, linkMessage(ctx.platform, { to: mailTo.email, name: mailTo.name, account: mailTo.accountName, url: signInUrl(ctx.platform, token), minutes, invited: true })).catch((error: unknown) => {
      ctx.platform.logger.error({ err: error }, 'portal: could not send an invitation');
      throw new AppError('unavailable', 'The invitation e-mail could not be sent; try again later');
    });
  });
  return accessStatus(args.ctx, args.contactId);
}

/** Staff revoke a contact's access: every link and session of theirs stops at once. */
export async function revokeAccess(args: { ctx: RecordContext; contactId: string; meta: RequestMeta }): Promise<PortalAccessStatus> {
  const { meta } = args;
  await inTransaction(args.ctx, async (ctx) => {
    const contact = await loadForUpdate(ctx, ctx.platform.registry.requireObject('contact'), args.contactId, { mode: 'edit' });
    await sql`INSERT INTO portal_access (contact_id, granted_by, revoked_at, revoked_by) VALUES (${contact.id}::uuid, NULL, now(), ${ctx.actor.userId}::uuid)
      ON CONFLICT (contact_id) DO UPDATE SET revoked_at = COALESCE(portal_access.revoked_at, now()), revoked_by = COALESCE(portal_access.revoked_by, EXCLUDED.revoked_by)`.execute(ctx.trx);
    await sql`UPDATE portal_sign_in_link SET revoked_at = now() WHERE contact_id = ${contact.id}::uuid AND used_at IS NULL AND revoked_at IS NULL`.execute(ctx.trx);
    const ended = await sql`DELETE FROM portal_session WHERE contact_id = ${contact.id}::uuid`.execute(ctx.trx);
    await logPortalAccess(ctx.trx, contact.id, { action: 'revoked', detail: `by user ${ctx.actor.userId ?? 'system'}`, ip: meta.ip, userAgent: meta.userAgent ?? null });
    await writeAudit(ctx.trx, { action: 'portal.revoked', actor: ctx.actor, ip: meta.ip, userAgent: meta.userAgent ?? null, target: { type: 'contact', id: contact.id }, details: { sessionsEnded: Number(ended.numAffectedRows ?? 0n) } });
  });
  return accessStatus(args.ctx, args.contactId);
}

export const LINK_REFUSED = 'This sign-in link has expired or was already used. Ask for a new one on the sign-in page.';

/**
 * The landing page hands in the token: the link is spent in the same statement that finds it (a
 * second use, even a concurrent one, finds nothing), the contact must still have access, and a
 * session begins. Unknown, malformed, expired, used and revoked links get one and the same 401.
 */
export async function signInWithLink(args: { platform: Platform; token: string; meta: RequestMeta }): Promise<{ sessionId: string; contactId: string; expiresAt: Date }> {
  const { platform, token, meta } = args;
  if (!isWellFormedToken(token)) throw unauthenticated(LINK_REFUSED);
  return inTransaction({ platform, actor: portalActor() }, async (ctx) => {
    const r = await sql<{ contact_id: string }>`UPDATE portal_sign_in_link l SET used_at = now()
      FROM portal_access a
      WHERE l.token_hash = ${hashToken(token)} AND l.used_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > now()
        AND a.contact_id = l.contact_id AND a.revoked_at IS NULL
      RETURNING l.contact_id`.execute(ctx.trx);
    const contactId = r.rows[0]?.contact_id;
    if (!contactId) throw unauthenticated(LINK_REFUSED);
    const contact = await readRecord(ctx, 'contact', contactId, ['account']).catch(() => null);
    if (!contact || isBlank(contact.account)) throw unauthenticated(LINK_REFUSED);
    const sessionId = newToken();
    const hours = portalSettings.of(platform).sessionHours;
    const expiresAt = new Date(Date.now() + hours * 3600_000);
    await sql`INSERT INTO portal_session (id, contact_id, expires_at, ip, user_agent) VALUES (${hashToken(sessionId)}, ${contactId}::uuid, ${expiresAt}, ${meta.ip}, ${meta.userAgent?.slice(0, 300) ?? null})`.execute(ctx.trx);
    await logPortalAccess(ctx.trx, contactId, { action: 'signed_in', ip: meta.ip, userAgent: meta.userAgent ?? null });
    return { sessionId, contactId, expiresAt };
  });
}

export const SESSION_REFUSED = 'Your portal session has ended; ask for a new sign-in link';

/** The contact behind a portal session cookie (expired, unknown, revoked: 401). */
export async function contactOfSession(platform: Platform, sessionId: string | undefined): Promise<{ contactId: string; sessionHash: string }> {
  if (!sessionId || !isWellFormedToken(sessionId)) throw unauthenticated(SESSION_REFUSED);
  const hash = hashToken(sessionId);
  const r = await sql<{ contact_id: string }>`SELECT s.contact_id FROM portal_session s JOIN portal_access a ON a.contact_id = s.contact_id AND a.revoked_at IS NULL
    WHERE s.id = ${hash} AND s.expires_at > now()`.execute(platform.db);
  const contactId = r.rows[0]?.contact_id;
  if (!contactId) throw unauthenticated(SESSION_REFUSED);
  return { contactId, sessionHash: hash };
}

export async function signOut(platform: Platform, sessionHash: string, contactId: string, meta: RequestMeta): Promise<void> {
  await sql`DELETE FROM portal_session WHERE id = ${sessionHash}`.execute(platform.db);
  await logPortalAccess(platform.db, contactId, { action: 'signed_out', ip: meta.ip, userAgent: meta.userAgent ?? null });
}
