import { useRef, useState } from 'react';
import { Button, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/client';
import { queryRecords } from '../../api/records';
import type { Condition, DisplayMap, ObjectDef, RecordData } from '../../api/types';
import { fieldOf } from '../../api/metadata';
import { downloadFile, toCsv } from '../../lib/csv';
import { formatValue } from '../../lib/format';
import { listFields } from './useRecordList';

/** Exports the current view (filter, sort, columns) as CSV, fetching every keyset page. */
export function ExportCsv({ object, filter, sort, columns }: { object: ObjectDef; filter: Condition | null; sort: string; columns: string[] }) {
  const [running, setRunning] = useState(false);
  const [count, setCount] = useState(0);
  const [pages, setPages] = useState(0);
  const abort = useRef<AbortController | null>(null);

  const run = async () => {
    const ctrl = new AbortController();
    abort.current = ctrl;
    setRunning(true);
    setCount(0);
    setPages(0);
    const rows: RecordData[] = [];
    const display: DisplayMap = {};
    try {
      let cursor: string | null = null;
      do {
        const page = await queryRecords(object.apiName, { filter, sort: sort || undefined, fields: listFields(object, columns), limit: 200, cursor, display: true }, ctrl.signal);
        rows.push(...page.data);
        for (const [o, names] of Object.entries(page.display ?? {})) display[o] = { ...display[o], ...names };
        cursor = page.nextCursor;
        setCount(rows.length);
        setPages((p) => p + 1);
      } while (cursor);
      const fields = columns.map((c) => fieldOf(object, c)).filter((f) => f !== undefined);
      const csv = toCsv([fields.map((f) => f.label), ...rows.map((r) => fields.map((f) => (f.type === 'date' || f.type === 'datetime' ? String(r[f.apiName] ?? '') : formatValue(f, r[f.apiName], r, display))))]);
      downloadFile(`${object.pluralLabel.toLowerCase().replace(/\s+/g, '-')}-${new Date().toISOString().slice(0, 10)}.csv`, csv);
      notifications.show({ color: 'green', message: `Exported ${rows.length} ${object.pluralLabel.toLowerCase()}` });
    } catch (e) {
      if ((e as Error).name !== 'AbortError') notifications.show({ color: 'red', message: `Export failed: ${errorMessage(e)}` });
    } finally {
      setRunning(false);
      abort.current = null;
    }
  };

  return (
    <>
      <Button variant="default" onClick={() => void run()} loading={running}>Export CSV</Button>
      <Modal opened={running} onClose={() => abort.current?.abort()} title="Exporting" centered>
        <Stack>
          <Progress value={100} animated striped aria-label="Export progress" />
          <Text size="sm" role="status">{count} records fetched ({pages} {pages === 1 ? 'page' : 'pages'})…</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => abort.current?.abort()}>Cancel</Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
