/** True when the write sets `field` to a value different from the stored one (always on create). */
export function changed(data: Record<string, unknown>, previous: Record<string, unknown> | undefined, field: string): boolean {
  if (!(field in data)) return false;
  if (!previous) return true;
  return JSON.stringify(previous[field] ?? null) !== JSON.stringify(data[field] ?? null);
}
