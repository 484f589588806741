import { api } from './client';
import type { BodyOf, ResponseOf } from './types';

/** Order sources (docs/intake-formats.md): their signing secret and the mapping editor's sample test. */
export type IntakeSecret = ResponseOf<'rotateOrderSourceSecret'>;
export type IntakeSampleInput = BodyOf<'testOrderSourceSample'>;
export type IntakeSampleResult = ResponseOf<'testOrderSourceSample'>;

const enc = encodeURIComponent;

export const orderIntakeApi = {
  rotateSecret: (id: string) => api.post<IntakeSecret>(`/order-intake-sources/${enc(id)}/secret`),
  test: (id: string, input: IntakeSampleInput) => api.post<IntakeSampleResult>(`/order-intake-sources/${enc(id)}/test`, input),
};
