import { api, request } from './client';
import type { ListResult, RecordData, ResponseOf } from './types';

const enc = encodeURIComponent;

export type Role = ResponseOf<'listRoles'>['data'][number];
export type PermissionKey = 'read' | 'create' | 'edit' | 'delete' | 'viewAll' | 'modifyAll';
export type ObjectPermissions = Partial<Record<PermissionKey, boolean>>;
export type Profile = ResponseOf<'listProfiles'>['data'][number];
export type ProfilePermissions = Profile['permissions'];
export type FieldAccess = NonNullable<ProfilePermissions['fields']>[string][string];
export type Sharing = ResponseOf<'listSharingSettings'>['data'][number]['sharing'];
export type SharingRule = ResponseOf<'listSharingRules'>['data'][number];
export type BinItem = ResponseOf<'listRecycleBin'>['data'][number];
export type BinRestore = ResponseOf<'restoreRecycleBinEntry'>;

export const adminApi = {
  users: () => api.get<ListResult>('/users?limit=200'),
  createUser: (body: { email: string; password: string; first_name?: string; last_name: string; profile: string; role?: string | null }) => api.post<RecordData>('/users', body),
  updateUser: (id: string, values: Record<string, unknown>) => api.patch<RecordData>(`/user/${enc(id)}`, values),
  setPassword: (id: string, password: string) => request<void>(`/users/${enc(id)}/password`, { method: 'PUT', body: { password } }),
  profiles: () => api.get<{ data: Profile[] }>('/profiles').then((r) => r.data),
  saveProfile: (p: { name?: string; label?: string; description?: string; permissions?: ProfilePermissions }, name?: string) =>
    (name ? api.patch<Profile>(`/profiles/${enc(name)}`, p) : api.post<Profile>('/profiles', p)),
  sharingSettings: () => api.get<{ data: { object: string; sharing: Sharing; controlledBy?: string }[] }>('/sharing-settings').then((r) => r.data),
  setSharing: (object: string, sharing: Sharing) => request<unknown>(`/sharing-settings/${enc(object)}`, { method: 'PUT', body: { sharing } }),
  sharingRules: () => api.get<{ data: SharingRule[] }>('/sharing-rules').then((r) => r.data),
  createSharingRule: (rule: Omit<SharingRule, 'id' | 'valid'>) => api.post<SharingRule>('/sharing-rules', rule),
  deleteSharingRule: (id: string) => api.del(`/sharing-rules/${enc(id)}`),
  groups: () => api.get<{ data: { name: string; label?: string }[] }>('/groups').then((r) => r.data),
  roles: () => api.get<{ data: Role[] }>('/roles').then((r) => r.data),
  saveRole: (role: Partial<Role>, name?: string) => (name ? api.patch<Role>(`/roles/${enc(name)}`, role) : api.post<Role>('/roles', role)),
  deleteRole: (name: string) => api.del(`/roles/${enc(name)}`),
  recycleBin: (cursor?: string | null) => api.get<{ data: BinItem[]; nextCursor: string | null }>(`/recycle-bin?limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  restore: (id: string) => api.post<BinRestore>(`/recycle-bin/${enc(id)}/restore`),
  purge: (id: string) => api.del(`/recycle-bin/${enc(id)}`),
};
