import { registerRecordExtension } from '../../lib/extensions';
import { MeetingInvitees } from './MeetingInvitees';

/** A meeting's page shows who is invited, above its tabs. */
export function registerMeetings(): void {
  registerRecordExtension('meeting', { Main: ({ id }) => <MeetingInvitees id={id} /> });
}
