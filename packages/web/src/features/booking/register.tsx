import { registerRecordExtension } from '../../lib/extensions';
import { CopyBookingLink } from './CopyBookingLink';

/** A scheduling link's record page offers its public address. */
export function registerBooking(): void {
  registerRecordExtension('booking_link', {
    Actions: ({ record }) => (typeof record.slug === 'string' ? <CopyBookingLink slug={record.slug} /> : null),
  });
}
