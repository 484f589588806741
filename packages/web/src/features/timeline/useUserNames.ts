import { useQuery } from '@tanstack/react-query';
import { queryRecords } from '../../api/records';

/** Names of the users an item mentions (owners, actors, owner changes), fetched in one query. */
export function useUserNames(ids: string[]): (id: string | null | undefined) => string | undefined {
  const unique = [...new Set(ids)].sort();
  const q = useQuery({
    queryKey: ['users', 'names', unique],
    enabled: unique.length > 0,
    staleTime: 60_000,
    queryFn: () => queryRecords('user', { filter: { field: 'id', op: 'in', value: unique }, fields: ['id', 'full_name'], limit: 200, display: false }),
  });
  return (id) => {
    if (!id) return undefined;
    const name = q.data?.data.find((u) => u.id === id)?.full_name;
    return typeof name === 'string' && name ? name : undefined;
  };
}
