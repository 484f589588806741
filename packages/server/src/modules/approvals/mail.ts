import { sql } from 'kysely';
import { canSendMail, sendMail } from '../../platform/mail.ts';
import type { TxContext } from '../../platform/records/context.ts';
import { issueLink } from './links.ts';
import type { Process } from './process.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The approvers' e-mails: each gets their own single-use link (issued in the transaction, so a
 * rolled-back submit leaves no working link), sent once the transaction commits. The link opens
 * Meridian's answer page, which asks for the decision and a comment before anything happens — a
 * mail scanner that follows links cannot approve. A failed send is logged; the in-app
 * notification and the inbox still reach the approver.
 */
export async function queueApprovalMails(ctx: TxContext, args: { request: { id: string; name: string }; process: Process; step: string; results: Array<{ id: string; approver: string }> }): Promise<void> {
  const { platform } = ctx;
  if (!canSendMail(platform) || !args.results.length) return;
  const users = await sql<{ id: string; email: string; full_name: string | null }>`SELECT id, email, full_name FROM obj_user WHERE id = ANY(${args.results.map((r) => r.approver)}::uuid[])`.execute(ctx.trx);
  const byId = new Map(users.rows.map((u) => [u.id, u]));
  const mails: Array<{ to: string; subject: string; text: string; html: string }> = [];
  for (const r of args.results) {
    const user = byId.get(r.approver);
    if (!user?.email) continue;
    const token = await issueLink(ctx, r.id);
    const base = `${platform.config.publicUrl.replace(/\/$/, '')}/approvals/respond?token=${token}`;
    const approve = `${base}&decision=approve`;
    const reject = `${base}&decision=reject`;
    const subject = `Approval requested: ${args.request.name}`;
    const text = `${args.process.label}, step "${args.step}".\n\nApprove: ${approve}\nReject: ${reject}\n\nEach link works once and expires; you can also answer from your approvals inbox in Meridian.`;
    const html = `<p>${escapeHtml(args.process.label)}, step “${escapeHtml(args.step)}”: <strong>${escapeHtml(args.request.name)}</strong></p>
<p><a href="${escapeHtml(approve)}">Approve</a> · <a href="${escapeHtml(reject)}">Reject</a></p>
<p>Each link works once and expires; you can also answer from your approvals inbox in Meridian.</p>`;
    mails.push({ to: user.email, subject, text, html });
  }
  ctx.uow.afterCommit(async () => {
    for (const m of mails) {
      try {
        await sendMail(platform, m);
      } catch (error) {
        platform.logger.error({ err: error, request: args.request.id }, 'approvals: e-mail to an approver failed');
      }
    }
  });
}
