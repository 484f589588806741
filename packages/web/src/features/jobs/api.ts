import { api } from '../../api/client';
import type { ResponseOf } from '../../api/types';

/** One job or schedule on the jobs page (GET /api/v1/jobs, admins). */
export type JobRow = ResponseOf<'listJobs'>['data'][number];

export const jobsApi = { list: () => api.get<{ data: JobRow[] }>('/jobs') };
