import { api } from '../../api/client';
import type { ResponseOf } from '../../api/types';

/** Privacy requests (docs/privacy.md): a person's data as a download, and erasure. */
export type Erasure = ResponseOf<'erasePerson'>;

const enc = encodeURIComponent;
export const privacyApi = {
  /** A plain link: the browser downloads the streamed tar.gz with the session cookie. */
  exportUrl: (object: string, id: string) => `/api/v1/privacy/${enc(object)}/${enc(id)}/export`,
  erase: (object: string, id: string) => api.post<Erasure>(`/privacy/${enc(object)}/${enc(id)}/erase`, {}),
};
