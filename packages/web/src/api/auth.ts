import { api } from './client';
import type { ApiToken, Me, ResponseOf } from './types';

export const authApi = {
  status: () => api.get<{ setupRequired: boolean; demoSeedAvailable?: boolean }>('/auth/status', { noReauth: true }),
  login: (email: string, password: string) => api.post<{ user: { id: string } }>('/auth/login', { email, password }, { noReauth: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { noReauth: true }),
  setup: (input: { token: string; email: string; password: string; firstName: string; lastName: string }) => api.post<{ user: { id: string } }>('/auth/setup', input, { noReauth: true }),
  me: () => api.get<Me>('/me', { noReauth: true }),
  seedDemo: () => api.post<SeedState>('/admin/seed-demo', {}),
  seedDemoStatus: () => api.get<SeedState>('/admin/seed-demo'),
  listTokens: () => api.get<{ data: ApiToken[] }>('/auth/tokens'),
  createToken: (name: string) => api.post<ApiToken & { token: string }>('/auth/tokens', { name }),
  revokeToken: (id: string) => api.del(`/auth/tokens/${encodeURIComponent(id)}`),
};

export type SeedState = ResponseOf<'getDemoSeedState'>;
