import { api } from './client';

/** The public booking endpoints (no sign-in): what a scheduling link publishes, its free slots, booking. */
export interface BookingPageInfo {
  name: string;
  description: string | null;
  durationMinutes: number;
  /** The host's zone for the weekly hours; visitors see times in their own zone. */
  timeZone: string;
  hostName: string;
  location: string | null;
}

export interface Slot {
  /** UTC instants. */
  start: string;
  end: string;
}

export interface BookingInput {
  start: string;
  name: string;
  email: string;
  note?: string;
}

const base = (slug: string) => `/public/booking/${encodeURIComponent(slug)}`;
// A visitor has no session: a 401 must not open the sign-in dialog.
const open = { noReauth: true } as const;

export const bookingApi = {
  page: (slug: string) => api.get<BookingPageInfo>(base(slug), open),
  /** from/to: dates (YYYY-MM-DD, inclusive) in the link's zone, at most 31 days. */
  slots: (slug: string, from: string, to: string) => api.get<{ timeZone: string; data: Slot[] }>(`${base(slug)}/slots?from=${from}&to=${to}`, open).then((r) => r.data),
  book: (slug: string, input: BookingInput) => api.post<Slot>(base(slug), input, open),
};
