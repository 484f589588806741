import { api } from './client';
import type { ResponseOf } from './types';

/** Staff: a contact's portal access (invite, revoke) and access log. */
export type PortalAccess = ResponseOf<'getContactPortalAccess'>;

const base = (id: string) => `/contact/${encodeURIComponent(id)}/portal-access`;
export const portalAccessApi = {
  get: (contactId: string) => api.get<PortalAccess>(base(contactId)),
  invite: (contactId: string) => api.post<PortalAccess>(`${base(contactId)}/invite`),
  revoke: (contactId: string) => api.post<PortalAccess>(`${base(contactId)}/revoke`),
};
