import { useQuery } from '@tanstack/react-query';
import { getRecord, queryRecords } from '../../api/records';

/** The objects whose contacts are known: an account's own, an opportunity's account's, a contact itself. */
export const HAS_CONTACTS = ['account', 'opportunity', 'contact'];

/**
 * The contacts of a record, as select options: an account's contacts, those of an opportunity's
 * account; on a contact, the contact itself. Who a call was with, whom to invite first.
 */
export function useRecordContacts(object: string | null, id: string | null) {
  return useQuery({
    queryKey: ['record-contacts', object, id],
    enabled: !!object && !!id && HAS_CONTACTS.includes(object),
    queryFn: async ({ signal }) => {
      if (object === 'contact') {
        const c = await getRecord('contact', id!);
        return [{ value: c.id, label: String(c.full_name ?? c.id) }];
      }
      const account = object === 'account' ? id : ((await getRecord('opportunity', id!)).account as string | null);
      if (!account) return [];
      const r = await queryRecords('contact', { filter: { field: 'account', op: 'eq', value: account }, fields: ['id', 'full_name'], sort: 'full_name', limit: 100, display: false }, signal);
      return r.data.map((c) => ({ value: c.id, label: String(c.full_name ?? c.id) }));
    },
    staleTime: 30_000,
  });
}
