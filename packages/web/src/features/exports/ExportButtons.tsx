import { Button, Group } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Condition, ObjectDef } from '../../api/types';

/** Longer filters than this go in a POST body; a link keeps the browser's own streaming download. */
const MAX_URL = 8000;

/**
 * The list's current view (filter, sort, columns) as a file, exported by the server
 * (GET /api/v1/{object}/export): streamed, so a million rows download like one, with the list's
 * access and field rules, formula injection neutralised, and an audit entry. The browser
 * downloads the answer itself (content-disposition: attachment) — nothing is held in the page.
 */
export function exportUrl(object: string, format: 'csv' | 'xlsx', q: { filter: Condition | null; sort: string; columns: string[] }): string {
  const params = new URLSearchParams({ format });
  if (q.filter) params.set('filter', JSON.stringify(q.filter));
  if (q.sort) params.set('sort', q.sort);
  if (q.columns.length) params.set('fields', q.columns.join(','));
  return `/api/v1/${encodeURIComponent(object)}/export?${params.toString()}`;
}

async function postExport(object: string, format: 'csv' | 'xlsx', q: { filter: Condition | null; sort: string; columns: string[] }) {
  // A filter too long for a URL: the same export through POST, saved from a blob.
  const res = await fetch(`/api/v1/${encodeURIComponent(object)}/export`, {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ format, filter: q.filter ?? undefined, sort: q.sort || undefined, fields: q.columns }),
  });
  if (!res.ok) throw new Error(((await res.json().catch(() => null)) as { detail?: string } | null)?.detail ?? `Export failed (${res.status})`);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `${object}.${format}`;
  const href = URL.createObjectURL(await res.blob());
  click(href, name);
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

function click(href: string, name?: string) {
  const a = document.createElement('a');
  a.href = href;
  a.download = name ?? '';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function ExportButtons({ object, filter, sort, columns }: { object: ObjectDef; filter: Condition | null; sort: string; columns: string[] }) {
  const run = (format: 'csv' | 'xlsx') => {
    const q = { filter, sort, columns };
    const url = exportUrl(object.apiName, format, q);
    if (url.length <= MAX_URL) click(url);
    else void postExport(object.apiName, format, q).catch((e: Error) => notifications.show({ color: 'red', message: e.message }));
  };
  return (
    <Group gap={4} wrap="nowrap" role="group" aria-label={`Export ${object.pluralLabel.toLowerCase()}`}>
      <Button variant="default" onClick={() => run('csv')} title="Download the current view as CSV">Export CSV</Button>
      <Button variant="default" onClick={() => run('xlsx')} title="Download the current view as an Excel workbook">Export XLSX</Button>
    </Group>
  );
}
