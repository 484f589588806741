import { api } from './client';
import type { BodyOf, ResponseOf } from './types';

/** The public booking endpoints (no sign-in): what a scheduling link publishes, its free slots, booking. */
export type BookingPageInfo = ResponseOf<'getBookingPage'>;
/** A free slot: UTC instants. */
export type Slot = ResponseOf<'getBookingSlots'>['data'][number];
export type BookingInput = BodyOf<'bookSlot'>;

const base = (slug: string) => `/public/booking/${encodeURIComponent(slug)}`;
// A visitor has no session: a 401 must not open the sign-in dialog.
const open = { noReauth: true } as const;

export const bookingApi = {
  page: (slug: string) => api.get<BookingPageInfo>(base(slug), open),
  /** from/to: dates (YYYY-MM-DD, inclusive) in the link's zone, at most 31 days. */
  slots: (slug: string, from: string, to: string) => api.get<{ timeZone: string; data: Slot[] }>(`${base(slug)}/slots?from=${from}&to=${to}`, open).then((r) => r.data),
  book: (slug: string, input: BookingInput) => api.post<Slot>(base(slug), input, open),
};
