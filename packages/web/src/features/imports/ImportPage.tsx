import { useEffect, useState } from 'react';
import { Alert, Anchor, Badge, Button, Checkbox, Group, Progress, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import { Loading, ErrorState } from '../../components/PageState';
import { AnchorLink } from '../../components/links';
import { formatNumber } from '../../lib/format';
import { importsApi, STATUS_COLORS, STATUS_LABELS, type ColumnChoice, type DryRun, type ImportPatch, type ImportSetup, type ImportView } from './api';

const ENCODINGS = [
  { value: 'utf-8', label: 'UTF-8' }, { value: 'utf-16le', label: 'UTF-16 (little-endian)' }, { value: 'utf-16be', label: 'UTF-16 (big-endian)' },
  { value: 'windows-1252', label: 'Windows-1252 (Western)' }, { value: 'iso-8859-1', label: 'ISO-8859-1 (Latin-1)' },
];
const DELIMITERS = [{ value: ',', label: 'Comma ( , )' }, { value: ';', label: 'Semicolon ( ; )' }, { value: '\t', label: 'Tab' }, { value: '|', label: 'Pipe ( | )' }];
const ACTIVE = ['queued', 'running', 'undoing'];
const DRY_ACTIVE = ['queued', 'running'];

/**
 * One import (issue 15 item 12): while a draft, the wizard — the file's encoding and delimiter
 * as detected, each column mapped to a field with its sample values, the options, a dry run —
 * then the run's progress (rows done, rows per second, time left; it survives a reload, it is
 * the server's), cancel, and the results with the error report and undo.
 */
export function ImportPage({ id }: { id: string }) {
  const query = useQuery({ queryKey: ['import', id], queryFn: () => importsApi.get(id), refetchInterval: (q) => (q.state.data && ACTIVE.includes(q.state.data.status) ? 1000 : false) });
  const { byName } = useMetadata();
  if (query.error) return <ErrorState error={query.error} what="import" />;
  const job = query.data;
  if (!job) return <Loading label="Loading the import" />;
  return (
    <Stack gap="md" maw={1100}>
      <div>
        <AnchorLink to="/imports" size="sm">All imports</AnchorLink>
        <Group gap="sm" align="center">
          <Title order={1}>Import of {job.fileName}</Title>
          <Badge color={STATUS_COLORS[job.status] ?? 'gray'} variant="light">{STATUS_LABELS[job.status] ?? job.status}</Badge>
        </Group>
        <Text size="sm" c="dimmed">Into {byName(job.object)?.pluralLabel ?? job.object} · {job.format.toUpperCase()} · {formatNumber(Math.round(job.fileBytes / 1024))} KB</Text>
      </div>
      {job.status === 'draft' ? <Wizard job={job} /> : <Run job={job} />}
    </Stack>
  );
}

function Wizard({ job }: { job: ImportView }) {
  const qc = useQueryClient();
  const setup = useQuery({ queryKey: ['import', job.id, 'setup', job.encoding, job.delimiter], queryFn: () => importsApi.setup(job.id) });
  const [columns, setColumns] = useState<ColumnChoice[] | null>(null);
  const [options, setOptions] = useState<Omit<ImportPatch, 'columns' | 'encoding' | 'delimiter'>>({
    mode: job.options.mode, matchField: job.options.matchField, duplicates: job.options.duplicates, dateOrder: job.options.dateOrder,
    decimalComma: job.options.decimalComma, picklistValues: job.options.picklistValues,
  });
  // The dry run is the server's (it may run in the background for minutes): read it, poll while it runs.
  const dryQuery = useQuery({ queryKey: ['import', job.id, 'dry-run'], queryFn: () => importsApi.getDryRun(job.id), refetchInterval: (q) => (q.state.data && DRY_ACTIVE.includes(q.state.data.status) ? 1000 : false) });
  // Hidden once a choice changes on the page (not saved yet): its counts are for the old choices.
  const [dryShown, setDryShown] = useState(true);
  const hideDry = () => setDryShown(false);
  const dry = dryQuery.data ?? null;
  useEffect(() => {
    if (!setup.data) return;
    const saved = setup.data.import.options.columns;
    setColumns(saved.length === setup.data.import.headers.length ? saved : setup.data.suggested.map((field) => ({ field })));
  }, [setup.data]);
  const refresh = () => qc.invalidateQueries({ queryKey: ['import', job.id] });
  const file = useMutation({ mutationFn: (body: ImportPatch) => importsApi.configure(job.id, body), onSuccess: () => { hideDry(); void refresh(); } });
  const save = () => importsApi.configure(job.id, { ...options, columns: columns ?? [] });
  const dryRun = useMutation({
    mutationFn: async () => { await save(); return importsApi.dryRun(job.id); },
    onSuccess: (d) => { qc.setQueryData(['import', job.id, 'dry-run'], d); setDryShown(true); },
  });
  const cancelDry = useMutation({ mutationFn: () => importsApi.cancelDryRun(job.id), onSuccess: (d) => qc.setQueryData(['import', job.id, 'dry-run'], d) });
  const start = useMutation({ mutationFn: async () => { await save(); return importsApi.start(job.id); }, onSuccess: () => void refresh() });
  const cancel = useMutation({ mutationFn: () => importsApi.cancel(job.id), onSuccess: () => void refresh() });

  if (setup.error) return <ErrorState error={setup.error} what="file" />;
  if (!setup.data || !columns) return <Loading label="Reading the file" />;
  const s = setup.data;
  const headers = s.import.headers;
  const fieldData = [{ value: '', label: '— Do not import —' }, ...s.fields.map((f) => ({ value: f.apiName, label: `${f.label}${f.required ? ' *' : ''}` }))];
  const setColumn = (i: number, c: ColumnChoice) => { hideDry(); setColumns(columns.map((x, j) => (j === i ? c : x))); };
  const fieldOf = (name: string | null) => s.fields.find((f) => f.apiName === name);
  const dryRunning = dry !== null && DRY_ACTIVE.includes(dry.status);
  const dryDone = dry !== null && !dryRunning && dryShown;
  const busy = dryRun.isPending || start.isPending;
  return (
    <Stack gap="lg">
      {job.format === 'csv' && (
        <section aria-labelledby="import-file">
          <Title order={2} size="h3" id="import-file">1. File</Title>
          <Text size="sm" c="dimmed">Meridian guessed how the file is written; change it if the sample below looks wrong.</Text>
          <Group mt="xs">
            <Select label="Encoding" data={ENCODINGS} value={job.encoding} allowDeselect={false} w={240} onChange={(v) => v && file.mutate({ encoding: v as ImportPatch['encoding'] })} />
            <Select label="Delimiter" data={DELIMITERS} value={job.delimiter} allowDeselect={false} w={200} onChange={(v) => v && file.mutate({ delimiter: v as ImportPatch['delimiter'] })} />
          </Group>
          {file.error && <Alert mt="xs" color="red" role="alert">{errorMessage(file.error)}</Alert>}
        </section>
      )}
      <section aria-labelledby="import-mapping">
        <Title order={2} size="h3" id="import-mapping">{job.format === 'csv' ? 2 : 1}. Columns and fields</Title>
        <Text size="sm" c="dimmed">Each column of the file goes into the field you choose. Suggestions come from the column titles and your last import.</Text>
        <div role="region" aria-label="Mapping table, scrolls sideways" tabIndex={0} style={{ overflowX: 'auto' }}>
          <Table aria-label="Column mapping" miw={720} mt="xs">
            <Table.Thead><Table.Tr><Table.Th>Column</Table.Th><Table.Th>Sample</Table.Th><Table.Th>Field</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {headers.map((h, i) => {
                const c = columns[i] ?? { field: null };
                const f = fieldOf(c.field);
                return (
                  <Table.Tr key={i} data-column={h}>
                    <Table.Td><Text size="sm" fw={600}>{h}</Text></Table.Td>
                    <Table.Td><Text size="xs" c="dimmed" lineClamp={2} maw={260}>{s.sample.map((r) => r[i]).filter(Boolean).slice(0, 3).join(' · ') || '—'}</Text></Table.Td>
                    <Table.Td>
                      <Stack gap={4}>
                        <Select aria-label={`Field for ${h}`} data={fieldData} value={c.field ?? ''} searchable allowDeselect={false} onChange={(v) => setColumn(i, { field: v || null })} w={260} />
                        {f?.lookup && (
                          <Group gap="xs">
                            <Select aria-label={`${f.lookup.label} found by`} size="xs" w={170} allowDeselect={false} value={c.lookupField ?? f.lookup.nameField}
                              data={f.lookup.keys.map((k) => ({ value: k, label: k === 'id' ? 'Record id' : `By ${k.replace(/_/g, ' ')}` }))} onChange={(v) => setColumn(i, { ...c, lookupField: v ?? undefined })} />
                            <Checkbox size="xs" label={`Create missing ${f.lookup.label.toLowerCase()}`} checked={c.createParent === true} disabled={(c.lookupField ?? f.lookup.nameField) === 'id'} onChange={(e) => setColumn(i, { ...c, createParent: e.currentTarget.checked })} />
                          </Group>
                        )}
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </div>
      </section>
      <section aria-labelledby="import-options">
        <Title order={2} size="h3" id="import-options">{job.format === 'csv' ? 3 : 2}. Options</Title>
        <Group mt="xs" align="end" wrap="wrap">
          <Select label="Rows become" w={220} allowDeselect={false} value={options.mode} onChange={(v) => { hideDry(); setOptions({ ...options, mode: v as ImportView['options']['mode'] }); }}
            data={[{ value: 'insert', label: 'New records' }, { value: 'update', label: 'Changes to existing records' }, { value: 'upsert', label: 'Changes, else new records' }]} />
          {options.mode !== 'insert' && (
            <Select label="Find records by" w={200} value={options.matchField ?? null} onChange={(v) => { hideDry(); setOptions({ ...options, matchField: v ?? undefined }); }}
              data={s.matchKeys.filter((k) => options.mode === 'update' || k !== 'id').map((k) => ({ value: k, label: k === 'id' ? 'Record id' : k.replace(/_/g, ' ') }))} />
          )}
          <Select label="Possible duplicates" w={220} allowDeselect={false} value={options.duplicates} onChange={(v) => { hideDry(); setOptions({ ...options, duplicates: v as ImportView['options']['duplicates'] }); }}
            data={[{ value: 'skip', label: 'Skip the row' }, { value: 'update', label: 'Update the match' }, { value: 'create', label: 'Create anyway' }]} />
          <Select label="Dates are written" w={200} allowDeselect={false} value={options.dateOrder} onChange={(v) => { hideDry(); setOptions({ ...options, dateOrder: v as ImportView['options']['dateOrder'] }); }}
            data={[{ value: 'ymd', label: 'yyyy-mm-dd' }, { value: 'dmy', label: 'dd/mm/yyyy' }, { value: 'mdy', label: 'mm/dd/yyyy' }]} />
          <Checkbox label="Decimal comma (1.234,56)" checked={options.decimalComma === true} onChange={(e) => { hideDry(); setOptions({ ...options, decimalComma: e.currentTarget.checked }); }} />
        </Group>
      </section>
      {dry && dryRunning && <DryRunProgress dry={dry} onCancel={() => cancelDry.mutate()} cancelling={cancelDry.isPending} />}
      {dry && dryDone && <DryRunResult dry={dry} setup={s} options={options} onMap={(field, raw, value) => { hideDry(); setOptions({ ...options, picklistValues: { ...options.picklistValues, [field]: { ...(options.picklistValues?.[field] ?? {}), [raw]: value } } }); }} />}
      {(dryRun.error || start.error || cancelDry.error) && <Alert color="red" role="alert" title="Check the mapping">{errorMessage(dryRun.error ?? start.error ?? cancelDry.error)}</Alert>}
      <Group>
        <Button variant="default" onClick={() => dryRun.mutate()} loading={dryRun.isPending} disabled={busy || dryRunning}>Dry run</Button>
        <Button onClick={() => start.mutate()} loading={start.isPending} disabled={busy}>Start import</Button>
        <Button variant="subtle" color="red" onClick={() => cancel.mutate()} disabled={busy}>Discard</Button>
      </Group>
    </Stack>
  );
}

/** A whole-file dry run going on in the background: how far, how fast, how long left (the server's: it survives a reload). */
function DryRunProgress({ dry, onCancel, cancelling }: { dry: DryRun; onCancel: () => void; cancelling: boolean }) {
  const percent = Math.round(dry.progress.fraction * 100);
  return (
    <section aria-labelledby="import-dry-run">
      <Title order={2} size="h3" id="import-dry-run">Dry run</Title>
      <Progress value={percent} size="lg" aria-label={`Dry run progress ${percent}%`} mt="xs" animated />
      <Text size="sm" mt={4} role="status">
        {formatNumber(dry.rowsTried)} rows tried · {dry.progress.rowsPerSecond === null ? '—' : formatNumber(dry.progress.rowsPerSecond)} rows/s · {duration(dry.progress.secondsLeft)} left · so far {formatNumber(dry.created)} would be created, {formatNumber(dry.updated)} updated, {formatNumber(dry.skipped)} skipped, {formatNumber(dry.rejected)} rejected
      </Text>
      <Text size="xs" c="dimmed">Every row of the file is tried; nothing is saved. You may leave this page and come back.</Text>
      <Button mt="sm" variant="default" color="red" onClick={onCancel} loading={cancelling}>Cancel dry run</Button>
    </section>
  );
}

function DryRunResult({ dry, setup, options, onMap }: { dry: DryRun; setup: ImportSetup; options: { picklistValues?: Record<string, Record<string, string>> }; onMap: (field: string, raw: string, value: string) => void }) {
  const unknown = Object.entries(dry.unknownPicklistValues);
  return (
    <section aria-labelledby="import-dry-run">
      <Title order={2} size="h3" id="import-dry-run">Dry run</Title>
      <Text role="status" size="sm">
        {dry.wholeFile ? `Of all ${formatNumber(dry.rowsTried)} rows` : `Of the first ${formatNumber(dry.rowsTried)} rows (${dry.status === 'failed' ? 'the dry run stopped' : 'cancelled'})`}: {formatNumber(dry.created)} would be created, {formatNumber(dry.updated)} updated, {formatNumber(dry.skipped)} skipped and {formatNumber(dry.rejected)} rejected. Nothing was saved.
      </Text>
      {dry.carried > 0 && <Text size="xs" c="dimmed">{formatNumber(dry.carried)} of these rows match a record that an earlier row of the file creates, and are counted as the import will treat them.</Text>}
      {!dry.current && <Alert mt="xs" color="orange">The options changed since this dry run: run it again to see what the import will do now.</Alert>}
      {dry.error && <Alert mt="xs" color="red" role="alert" title="The dry run stopped">{dry.error}</Alert>}
      {unknown.map(([field, values]) => {
        const f = setup.fields.find((x) => x.apiName === field);
        return (
          <Stack key={field} gap={4} mt="sm">
            <Text size="sm" fw={600}>Values of {f?.label ?? field} that are not in its list</Text>
            {values.map((raw) => (
              <Select key={raw} label={`“${raw}” becomes`} size="xs" w={280} value={options.picklistValues?.[field]?.[raw] ?? null} onChange={(v) => onMap(field, raw, v ?? '')}
                data={(f?.values ?? []).map((v) => ({ value: v.value, label: v.label }))} />
            ))}
          </Stack>
        );
      })}
      <div role="region" aria-label="Dry run rows, scrolls sideways" tabIndex={0} style={{ overflowX: 'auto' }}>
        <Table aria-label="Dry run rows" mt="xs" miw={560}>
          <Table.Thead><Table.Tr><Table.Th>Row</Table.Th><Table.Th>Outcome</Table.Th><Table.Th>Why</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {dry.rows.map((r) => (
              <Table.Tr key={r.row}><Table.Td>{r.row}</Table.Td><Table.Td>{r.outcome}</Table.Td><Table.Td><Text size="xs">{r.error ?? ''}</Text></Table.Td></Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </section>
  );
}

function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function Run({ job }: { job: ImportView }) {
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: ['import', job.id] });
  const cancel = useMutation({ mutationFn: () => importsApi.cancel(job.id), onSuccess: () => void refresh() });
  const undo = useMutation({ mutationFn: () => importsApi.undo(job.id), onSuccess: () => void refresh() });
  const [confirmUndo, setConfirmUndo] = useState(false);
  const p = job.progress;
  const running = job.status === 'queued' || job.status === 'running';
  const percent = Math.round(p.fraction * 100);
  return (
    <Stack gap="md">
      {(running || job.status === 'undoing') && (
        <section aria-labelledby="import-progress">
          <Title order={2} size="h3" id="import-progress">{job.status === 'undoing' ? 'Undoing' : 'Progress'}</Title>
          <Progress value={percent} size="lg" aria-label={`Import progress ${percent}%`} mt="xs" animated={running} />
          <Text size="sm" mt={4} role="status">
            {formatNumber(p.rowsDone)} rows done · {p.rowsPerSecond === null ? '—' : formatNumber(p.rowsPerSecond)} rows/s · {duration(p.secondsLeft)} left
          </Text>
          {running && <Button mt="sm" variant="default" color="red" onClick={() => cancel.mutate()} loading={cancel.isPending}>Cancel import</Button>}
        </section>
      )}
      <section aria-labelledby="import-results">
        <Title order={2} size="h3" id="import-results">Results</Title>
        <Table aria-label="Import results" maw={420} mt="xs">
          <Table.Tbody>
            <Table.Tr><Table.Th scope="row">Rows done</Table.Th><Table.Td>{formatNumber(p.rowsDone)}</Table.Td></Table.Tr>
            <Table.Tr><Table.Th scope="row">Created</Table.Th><Table.Td>{formatNumber(p.created)}</Table.Td></Table.Tr>
            <Table.Tr><Table.Th scope="row">Updated</Table.Th><Table.Td>{formatNumber(p.updated)}</Table.Td></Table.Tr>
            <Table.Tr><Table.Th scope="row">Skipped</Table.Th><Table.Td>{formatNumber(p.skipped)}</Table.Td></Table.Tr>
            <Table.Tr><Table.Th scope="row">Rejected</Table.Th><Table.Td>{formatNumber(p.rejected)}</Table.Td></Table.Tr>
          </Table.Tbody>
        </Table>
        {job.error && <Alert mt="sm" color={job.status === 'failed' ? 'red' : 'orange'} role="alert" title={job.status === 'failed' ? 'The import stopped' : 'Notes'}><Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{job.error}</Text></Alert>}
        <Group mt="sm">
          {p.rejected > 0 && <Anchor href={importsApi.errorsUrl(job.id)} download>Download the error report (CSV)</Anchor>}
          {['completed', 'cancelled', 'failed'].includes(job.status) && !confirmUndo && <Button variant="default" onClick={() => setConfirmUndo(true)}>Undo import</Button>}
        </Group>
        {confirmUndo && (
          <Alert mt="sm" color="orange" title="Undo this import?">
            <Text size="sm">The records it created go to the recycle bin; the records it changed get their previous values back.</Text>
            <Group mt="xs">
              <Button color="orange" onClick={() => { setConfirmUndo(false); undo.mutate(); }}>Undo import</Button>
              <Button variant="default" onClick={() => setConfirmUndo(false)}>Keep it</Button>
            </Group>
          </Alert>
        )}
        {(undo.error || cancel.error) && <Alert mt="sm" color="red" role="alert">{errorMessage(undo.error ?? cancel.error)}</Alert>}
      </section>
    </Stack>
  );
}
