import { useState } from 'react';
import { localeSettings } from '../../lib/format';
import { minutesNowIn } from '../calendar/dates';
import { NewMeetingModal } from '../calendar/NewMeetingModal';
import type { QuickActionProps } from './useQuickSubmit';

const MINUTE = 60_000;

/** The next full hour on the user's wall clock (in their zone, so a half-hour offset still gives :00), for an hour. */
export function nextHourIn(timeZone: string, now = Date.now()): { startAt: string; endAt: string } {
  const start = Math.floor(now / MINUTE) * MINUTE + (60 - (minutesNowIn(timeZone, new Date(now)) % 60)) * MINUTE;
  return { startAt: new Date(start).toISOString(), endAt: new Date(start + 60 * MINUTE).toISOString() };
}

/** "New meeting" on a record's page: about that record, its contacts offered first as invitees. */
export function MeetingModal(props: QuickActionProps) {
  const [start] = useState(() => nextHourIn(localeSettings().timeZone));
  return <NewMeetingModal start={props.opened ? start : null} onClose={props.onClose} record={{ object: props.object, id: props.id, name: props.recordName }} />;
}
