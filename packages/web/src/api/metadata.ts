import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { Condition, FieldDef, FieldType, ObjectDef, PicklistValue, RecordData, ValidationRule } from './types';

export const metadataKey = ['metadata', 'objects'] as const;

export function useObjects() {
  return useQuery({ queryKey: metadataKey, queryFn: () => api.get<{ data: ObjectDef[] }>('/metadata/objects').then((r) => r.data), staleTime: 60_000 });
}

/** The objects, or [] while loading; with lookup helpers. */
export function useMetadata() {
  const q = useObjects();
  const objects = q.data ?? [];
  return {
    ...q,
    objects,
    byName: (name: string) => objects.find((o) => o.apiName === name),
  };
}

export function useInvalidateMetadata() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: metadataKey });
}

export const SYSTEM_FIELDS = ['id', 'owner', 'created_at', 'updated_at', 'created_by', 'updated_by', 'version'];

/** A record's name as lists, cards and boards show it: its name field, else its id. */
export function recordTitle(object: ObjectDef, record: RecordData): string {
  return String(record[object.nameField] ?? record.id);
}

export function isSystemField(f: FieldDef) {
  return SYSTEM_FIELDS.includes(f.apiName);
}

/** Fields a person can type into. */
export function isEditable(f: FieldDef) {
  return !f.readOnly && f.type !== 'autonumber' && f.type !== 'id';
}

export function fieldOf(o: ObjectDef, name: string) {
  return o.fields.find((f) => f.apiName === name);
}

/** Default list columns: the name field, then the first few business fields. */
/** A list's columns when the user has no saved view: the object's definition says (listColumns). */
export function defaultColumns(o: ObjectDef): string[] {
  const declared = (o.listColumns ?? []).filter((c) => o.fields.some((f) => f.apiName === c));
  if (declared.length) return declared;
  const business = o.fields.filter((f) => !isSystemField(f) && f.apiName !== o.nameField && f.type !== 'long_text' && f.type !== 'id');
  return [o.nameField, ...business.slice(0, 5).map((f) => f.apiName)];
}

export function picklistLabel(f: FieldDef, value: unknown): string {
  const v = f.picklist?.values.find((p) => p.value === value);
  return v?.label ?? String(value ?? '');
}

export function activeValues(f: FieldDef): PicklistValue[] {
  return (f.picklist?.values ?? []).filter((v) => v.active !== false);
}

/** Target object of a lookup or user field. */
export function lookupTarget(f: FieldDef): string | null {
  if (f.type === 'user') return 'user';
  if (f.type === 'lookup') return f.lookup?.object ?? null;
  return null;
}

export interface NewField {
  apiName: string;
  label: string;
  type: FieldType;
  required?: boolean;
  unique?: boolean;
  defaultValue?: unknown;
  helpText?: string | null;
  picklist?: { values: { value: string; label: string }[] };
  lookup?: { object: string; onDelete?: string };
}

const enc = encodeURIComponent;
export const metadataApi = {
  createObject: (input: { apiName: string; label: string; pluralLabel: string; description?: string }) => api.post<ObjectDef>('/metadata/objects', input),
  updateObject: (o: string, input: Partial<Pick<ObjectDef, 'label' | 'pluralLabel' | 'description' | 'navOrder'>>) => api.patch<ObjectDef>(`/metadata/objects/${enc(o)}`, input),
  deleteObject: (o: string) => api.del(`/metadata/objects/${enc(o)}?confirm=true`),
  createField: (o: string, input: NewField) => api.post<FieldDef>(`/metadata/objects/${enc(o)}/fields`, input),
  updateField: (o: string, f: string, input: Partial<NewField>) => api.patch<FieldDef>(`/metadata/objects/${enc(o)}/fields/${enc(f)}`, input),
  deleteField: (o: string, f: string) => api.del(`/metadata/objects/${enc(o)}/fields/${enc(f)}?confirm=true`),
  createRule: (o: string, input: { name: string; condition: Condition; message: string; field?: string }) => api.post<ValidationRule>(`/metadata/objects/${enc(o)}/validation-rules`, input),
  updateRule: (o: string, id: string, input: Partial<{ name: string; condition: Condition; message: string; field: string | null; active: boolean }>) =>
    api.patch<ValidationRule>(`/metadata/objects/${enc(o)}/validation-rules/${enc(id)}`, input),
  deleteRule: (o: string, id: string) => api.del(`/metadata/objects/${enc(o)}/validation-rules/${enc(id)}`),
};
