import { sql } from 'kysely';
import { validationFailed } from '../../../platform/errors.ts';
import type { AfterSaveArgs, BeforeDeleteArgs, BeforeSaveArgs, HookRegistry } from '../../../platform/records/hooks.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import { notifyUser, pingNotificationStreams } from '../../../platform/notifications/store.ts';
import { settingsOfUsers } from '../notifications/settings.ts';
import { tableOf } from '../context.ts';
import { grantTeamAccess, revokeTeamAccess } from '../../../platform/access/teams.ts';

/** The record-team role that lets an invited colleague read the meeting (platform/access, record teams). */
export const INVITEE_TEAM_ROLE = 'invitee';

/**
 * An invitation names exactly one person — a colleague or a contact — once per meeting, and is
 * named after them ("Grace Hopper"), so lists and history read well. The lookups themselves
 * (live, visible to the writer) are checked by the record pipeline like any lookup.
 */
export async function validateInvitee({ ctx, data, merged, previous }: BeforeSaveArgs): Promise<void> {
  if (previous && !('user' in data) && !('contact' in data) && !('meeting' in data)) return;
  const user = typeof merged.user === 'string' ? merged.user : null;
  const contact = typeof merged.contact === 'string' ? merged.contact : null;
  if (!user === !contact) {
    const message = user ? 'A colleague or a contact, not both' : 'Choose a colleague or a contact';
    throw validationFailed([{ field: 'user' in data || !('contact' in data) ? 'user' : 'contact', code: user ? 'invalid' : 'required', message }]);
  }
  const [column, id] = user ? ['user_id', user] : ['contact_id', contact!];
  const dup = await sql`SELECT 1 FROM ${tableOf(ctx, 'meeting_invitee')} WHERE meeting_id = ${merged.meeting as string} AND ${sql.ref(column)} = ${id}
    AND deleted_at IS NULL ${previous ? sql`AND id <> ${previous.id}` : sql``} LIMIT 1`.execute(ctx.trx);
  if (dup.rows.length) throw validationFailed([{ field: user ? 'user' : 'contact', code: 'duplicate', message: 'Already invited to this meeting' }]);
  const r = user
    ? await sql<{ name: string | null }>`SELECT COALESCE(NULLIF(full_name, ''), email) AS name FROM obj_user WHERE id = ${user}::uuid`.execute(ctx.trx)
    : await sql<{ name: string | null }>`SELECT full_name AS name FROM ${tableOf(ctx, 'contact')} WHERE id = ${contact}::uuid`.execute(ctx.trx);
  data.name = (r.rows[0]?.name ?? '').slice(0, 1000);
}

/** The invited colleague reads the meeting as a `read` member of its record team; a manual team entry is left alone. */
async function grantMeeting(ctx: TxContext, meetingId: string, userId: string): Promise<void> {
  await grantTeamAccess(ctx.trx, { object: 'meeting', recordId: meetingId, userId, teamRole: INVITEE_TEAM_ROLE, access: 'read' });
}

async function revokeMeeting(ctx: TxContext, meetingId: string, userId: string): Promise<void> {
  await revokeTeamAccess(ctx.trx, { object: 'meeting', recordId: meetingId, userId, teamRole: INVITEE_TEAM_ROLE });
}

async function syncInviteeAccess({ ctx, record, previous }: AfterSaveArgs): Promise<void> {
  const before = previous && typeof previous.user === 'string' ? { meeting: previous.meeting as string, user: previous.user } : null;
  const after = typeof record.user === 'string' ? { meeting: record.meeting as string, user: record.user } : null;
  if (before && (before.user !== after?.user || before.meeting !== after?.meeting)) await revokeMeeting(ctx, before.meeting, before.user);
  if (after) await grantMeeting(ctx, after.meeting, after.user);
}

async function dropInviteeAccess({ ctx, record }: BeforeDeleteArgs): Promise<void> {
  if (typeof record.user === 'string') await revokeMeeting(ctx, record.meeting as string, record.user);
}

/**
 * An invited colleague hears of it in the bell (not when they invited themselves), after the
 * commit, honouring their in-app choice (notifications/settings.ts). One per meeting and user.
 */
async function notifyInvitee({ ctx, record, previous }: AfterSaveArgs): Promise<void> {
  const userId = typeof record.user === 'string' ? record.user : null;
  if (!userId || userId === ctx.actor.userId || (previous && previous.user === userId)) return;
  const db = ctx.platform.db;
  const meeting = await sql<{ subject: string; start_at: Date }>`SELECT subject, start_at FROM ${tableOf(ctx, 'meeting')} WHERE id = ${record.meeting as string}::uuid AND deleted_at IS NULL`.execute(db);
  const m = meeting.rows[0];
  if (!m) return;
  const choice = (await settingsOfUsers(ctx.platform, [userId])).get(userId);
  const who = ctx.actor.userId ? (await sql<{ name: string }>`SELECT COALESCE(NULLIF(full_name, ''), email) AS name FROM obj_user WHERE id = ${ctx.actor.userId}::uuid`.execute(db)).rows[0]?.name : undefined;
  const id = await notifyUser(db, {
    userId,
    kind: 'invitation',
    object: 'meeting',
    recordId: record.meeting as string,
    occurrence: new Date(m.start_at).toISOString(),
    title: `Invitation: ${m.subject}`,
    body: `${who ?? 'Someone'} invited you to “${m.subject}”.`,
    read: choice ? !choice.inApp : false,
  });
  if (id) await pingNotificationStreams(db);
}

export function registerInviteeHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'activities.invitees', object: 'meeting_invitee', operations: ['create', 'update'], run: validateInvitee });
  hooks.register('afterSave', { name: 'activities.inviteeAccess', object: 'meeting_invitee', operations: ['create', 'update', 'restore'], run: syncInviteeAccess });
  hooks.register('beforeDelete', { name: 'activities.inviteeAccess', object: 'meeting_invitee', run: dropInviteeAccess });
  hooks.register('afterCommit', { name: 'activities.inviteeNotification', object: 'meeting_invitee', operations: ['create', 'update'], run: notifyInvitee });
}
