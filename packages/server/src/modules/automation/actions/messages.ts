import { sendMail } from '../../../platform/mail.ts';
import { notifyUser, pingNotificationStreams } from '../../../platform/notifications/store.ts';
import { recordName } from '../../../platform/records/serialize.ts';
import { renderTemplate } from '../templates.ts';
import { registerAutomationAction } from './registry.ts';
import { checkRecipients, resolveRecipients } from './recipients.ts';
import { checkText } from './values.ts';

interface NotifyConfig {
  to: string[];
  title: string;
  body: string;
  lookups: string[];
}

/** An in-app notification (the bell and the live stream), linked to the record. */
registerAutomationAction<NotifyConfig>({
  type: 'notify',
  transactional: true,
  label: 'In-app notification',
  phases: ['after_save'],
  check(args) {
    const to = checkRecipients({ ...args, emails: false });
    const title = checkText({ ...args, key: 'title', max: 500 });
    const body = checkText({ ...args, key: 'body', required: false });
    return { to, title: title.text, body: body.text, lookups: [...title.lookups, ...body.lookups] };
  },
  async run(run) {
    const { users } = await resolveRecipients(run, run.config.to);
    const title = renderTemplate(run.config.title, run.scope);
    const body = run.config.body ? renderTemplate(run.config.body, run.scope) : '';
    for (const u of users) await notifyUser(run.ctx.trx, { userId: u.id, kind: 'automation', title, body, object: run.object.apiName, recordId: run.record.id, data: { rule: run.rule.id } });
    run.afterCommit(() => pingNotificationStreams(run.ctx.platform.db));
    return { notified: users.map((u) => u.id) };
  },
  async describe(run) {
    const { users } = await resolveRecipients(run, run.config.to);
    return `Notify ${users.map((u) => u.email).join(', ') || 'nobody'}: ${renderTemplate(run.config.title, run.scope)}`;
  },
});

interface EmailConfig {
  to: string[];
  subject: string;
  body: string;
  lookups: string[];
}

/** An e-mail from a template, to users, the owner or their manager, a role, or an e-mail field. Sent after the run commits. */
registerAutomationAction<EmailConfig>({
  type: 'send_email',
  label: 'Send an e-mail',
  phases: ['after_save'],
  check(args) {
    const to = checkRecipients({ ...args, emails: true });
    const subject = checkText({ ...args, key: 'subject', max: 1000 });
    const body = checkText({ ...args, key: 'body', max: 100_000 });
    return { to, subject: subject.text, body: body.text, lookups: [...subject.lookups, ...body.lookups] };
  },
  async run(run) {
    const { users, addresses } = await resolveRecipients(run, run.config.to);
    const to = [...new Set([...users.map((u) => u.email), ...addresses])];
    const subject = renderTemplate(run.config.subject, run.scope);
    const text = renderTemplate(run.config.body, run.scope);
    if (!to.length) return { skipped: 'no recipient' };
    // Sent inside the run: a failed send fails the run, which is retried (an e-mail is at least once).
    const sent = await sendMail(run.ctx.platform, { to, subject, text });
    if (!sent) throw new Error('Outgoing e-mail is not set up (MERIDIAN_SMTP_URL)');
    return { to, subject, messageId: sent.messageId, about: recordName(run.object, run.record) };
  },
  async describe(run) {
    const { users, addresses } = await resolveRecipients(run, run.config.to);
    return `E-mail ${[...users.map((u) => u.email), ...addresses].join(', ') || 'nobody'}: ${renderTemplate(run.config.subject, run.scope)}`;
  },
});
