import { useState, type KeyboardEvent } from 'react';
import { Alert, Box, Button, Checkbox, Group, NativeSelect, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { Loading } from '../../components/PageState';
import { ButtonLink } from '../../components/links';
import { addMoney, AMOUNT_RE, normaliseAmount, showMoney } from './money';
import { FORECAST_PATH, forecastingApi, PILLARS, type Pillar, type PillarCell, type PillarGrid } from './api';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const thisYear = new Date().getFullYear();
const keyOf = (account: string, pillar: Pillar, month: number) => `${account}|${pillar}|${month}`;

/** Arrow keys move between the grid's inputs (rows and columns), like a spreadsheet; Tab still walks them in order. */
function moveFocus(event: KeyboardEvent<HTMLInputElement>) {
  const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [1, 0] };
  const input = event.currentTarget;
  const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
  const atEnd = input.selectionStart === input.value.length;
  if (event.key === 'ArrowLeft' && atStart) moves.ArrowLeft = [0, -1];
  if (event.key === 'ArrowRight' && atEnd) moves.ArrowRight = [0, 1];
  const move = moves[event.key];
  if (!move) return;
  const row = Number(input.dataset.row) + move[0];
  const col = Number(input.dataset.col) + move[1];
  const next = input.closest('table')?.querySelector<HTMLInputElement>(`input[data-row="${row}"][data-col="${col}"]`);
  if (next) {
    event.preventDefault();
    next.focus();
    next.select();
  }
}

/**
 * The annual three-pillar forecast (/forecast/pillars, seed 004 "Annual Forecast", issue 16 items 8
 * and 9): next year's revenue per account, pillar and month typed into a grid (arrow keys move,
 * Copy forward fills the empty months after each entered one), row and month totals, and month by
 * month the actuals — won deals and invoiced revenue — classified into the same pillars by rule.
 */
export function PillarsPage() {
  const qc = useQueryClient();
  const [year, setYear] = useState(thisYear + 1);
  const [mine, setMine] = useState(true);
  const [edits, setEdits] = useState<Map<string, string>>(new Map());
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const query = useQuery({ queryKey: ['forecasting', 'pillars', year, mine], queryFn: ({ signal }) => forecastingApi.pillars(year, mine, signal) });
  const grid = query.data;
  const valueOf = (g: PillarGrid['rows'][number], pillar: Pillar, month: number) => edits.get(keyOf(g.account, pillar, month)) ?? g.plan[pillar][month - 1] ?? '';
  const invalid = [...edits.values()].some((v) => normaliseAmount(v) !== '' && !AMOUNT_RE.test(normaliseAmount(v)));

  const setCell = (account: string, pillar: Pillar, month: number, value: string) => setEdits((m) => new Map(m).set(keyOf(account, pillar, month), value));
  const copyForward = (row: PillarGrid['rows'][number], pillar: Pillar) => {
    setEdits((m) => {
      const next = new Map(m);
      let carry = '';
      for (let month = 1; month <= 12; month++) {
        const v = next.get(keyOf(row.account, pillar, month)) ?? row.plan[pillar][month - 1] ?? '';
        if (v.trim() !== '') carry = v;
        else if (carry) next.set(keyOf(row.account, pillar, month), carry);
      }
      return next;
    });
  };
  const save = async () => {
    if (invalid) return setError('Some amounts are not numbers with at most two decimals; they are marked in the grid.');
    const cells: PillarCell[] = [...edits].map(([k, v]) => {
      const [account, pillar, month] = k.split('|') as [string, Pillar, string];
      const amount = normaliseAmount(v);
      return { account, pillar, month: Number(month), amount: amount === '' ? null : amount };
    });
    setSaving(true);
    setError(null);
    try {
      await forecastingApi.savePillars(year, cells);
      setEdits(new Map());
      notifications.show({ message: `Forecast saved (${cells.length} cells)` });
      await qc.invalidateQueries({ queryKey: ['forecasting', 'pillars'] });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };
  // Month totals of the plan as on screen (edits included), exact.
  const planTotal = (pillar: Pillar | 'all', month: number) =>
    addMoney((grid?.rows ?? []).flatMap((r) => (pillar === 'all' ? PILLARS.map((p) => p.value) : [pillar]).map((p) => normaliseAmount(valueOf(r, p, month)))));

  let rowIndex = 0;
  return (
    <Stack gap="md" maw={1600}>
      <div>
        <Title order={1}>Annual forecast {year}</Title>
        <Text size="sm" c="dimmed">Revenue per account and month in three pillars: new sales (new customers), account management (current customers), upselling (current customers adding a product line). Actuals are classified by the same rule.{grid ? ` Amounts in ${grid.currency}: deals and invoices in other currencies are converted at today's exchange rate.` : ''}</Text>
      </div>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <NativeSelect label="Year" data={[thisYear - 1, thisYear, thisYear + 1, thisYear + 2].map(String)} value={String(year)} onChange={(e) => { setYear(Number(e.currentTarget.value)); setEdits(new Map()); }} w={110} />
        <Checkbox label="Only my accounts" checked={mine} onChange={(e) => { setMine(e.currentTarget.checked); setEdits(new Map()); }} mb={8} />
        <Button onClick={save} loading={saving} disabled={edits.size === 0}>Save{edits.size ? ` (${edits.size})` : ''}</Button>
        <Button variant="default" onClick={() => setEdits(new Map())} disabled={edits.size === 0}>Discard changes</Button>
        <ButtonLink variant="default" to={FORECAST_PATH}>Forecast by period</ButtonLink>
      </Group>
      {error && <Alert color="red" role="alert" title="Not saved">{error}</Alert>}
      {query.isLoading && <Loading />}
      {query.error && <Alert color="red" title="The forecast could not be loaded">{errorMessage(query.error)}</Alert>}
      {grid && grid.warnings.length > 0 && <Alert color="yellow" title="Some actuals are not counted">{grid.warnings.join(' ')} Once their exchange rates are entered, they count.</Alert>}
      {grid && grid.truncated && <Alert color="yellow">Only the first {grid.rows.length} accounts are shown; tick "Only my accounts" to narrow the list.</Alert>}
      {grid && grid.rows.length === 0 && <Alert variant="light" color="gray" title="No accounts">Accounts you own or manage appear here; untick "Only my accounts" to plan others you may see.</Alert>}
      {grid && grid.rows.length > 0 && (
        <Paper withBorder>
          <Box style={{ overflowX: 'auto', position: 'relative' }} tabIndex={0} role="region" aria-label="Three-pillar forecast grid">
            <Table aria-label={`Three-pillar forecast ${year}`} miw={1500} withColumnBorders>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Account</Table.Th>
                  <Table.Th scope="col">Pillar</Table.Th>
                  {MONTHS.map((m, i) => <Table.Th scope="col" key={m} ta="right"><abbr title={MONTH_NAMES[i]}>{m}</abbr></Table.Th>)}
                  <Table.Th scope="col" ta="right">Year</Table.Th>
                  <Table.Th scope="col">Fill</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {grid.rows.flatMap((r) => PILLARS.map((p, pi) => {
                  const row = rowIndex++;
                  const values = MONTHS.map((_, i) => valueOf(r, p.value, i + 1));
                  return (
                    <Table.Tr key={`${r.account}-${p.value}`}>
                      {pi === 0 && <Table.Th scope="rowgroup" rowSpan={3} fw={600}>{r.name}</Table.Th>}
                      <Table.Th scope="row" fw={400}>{p.label}</Table.Th>
                      {values.map((v, i) => {
                        const bad = normaliseAmount(v) !== '' && !AMOUNT_RE.test(normaliseAmount(v));
                        return (
                          <Table.Td key={i} p={2}>
                            <input className="pillar-cell" inputMode="decimal" value={v} readOnly={!r.editable} data-row={row} data-col={i}
                              aria-label={`${r.name}, ${p.label}, ${MONTH_NAMES[i]}`} aria-invalid={bad || undefined}
                              style={{ width: 84, textAlign: 'right', font: 'inherit', padding: '4px 6px', border: `1px solid ${bad ? '#c92a2a' : '#adb5bd'}`, borderRadius: 4, background: r.editable ? undefined : '#f1f3f5' }}
                              onKeyDown={moveFocus} onChange={(e) => setCell(r.account, p.value, i + 1, e.currentTarget.value)} />
                          </Table.Td>
                        );
                      })}
                      <Table.Td ta="right">{showMoney(addMoney(values.map(normaliseAmount)), grid.currency)}</Table.Td>
                      <Table.Td>{r.editable && <Button size="compact-xs" variant="default" onClick={() => copyForward(r, p.value)} aria-label={`Copy forward: ${r.name}, ${p.label}`}>Copy forward</Button>}</Table.Td>
                    </Table.Tr>
                  );
                }))}
              </Table.Tbody>
              <Table.Tfoot>
                {[...PILLARS.map((p) => ({ key: p.value as Pillar | 'all', label: `Plan: ${p.label}` })), { key: 'all' as const, label: 'Plan: all pillars' }].map(({ key, label }) => (
                  <Table.Tr key={`plan-${key}`}>
                    <Table.Th scope="row" colSpan={2}>{label}</Table.Th>
                    {MONTHS.map((_, i) => <Table.Td key={i} ta="right">{showMoney(planTotal(key, i + 1), grid.currency)}</Table.Td>)}
                    <Table.Td ta="right">{showMoney(addMoney(MONTHS.map((_, i) => planTotal(key, i + 1))), grid.currency)}</Table.Td>
                    <Table.Td />
                  </Table.Tr>
                ))}
                {(['won', 'invoiced'] as const).flatMap((source) => [...PILLARS.map((p) => ({ key: p.value as Pillar | 'all', label: p.label })), { key: 'all' as const, label: 'all pillars' }].map(({ key, label }) => (
                  <Table.Tr key={`${source}-${key}`}>
                    <Table.Th scope="row" colSpan={2} fw={400}>{source === 'won' ? 'Won deals' : 'Invoiced'}: {label}</Table.Th>
                    {grid.totals[source][key].map((v, i) => <Table.Td key={i} ta="right">{showMoney(v, grid.currency)}</Table.Td>)}
                    <Table.Td ta="right">{showMoney(addMoney(grid.totals[source][key]), grid.currency)}</Table.Td>
                    <Table.Td />
                  </Table.Tr>
                )))}
              </Table.Tfoot>
            </Table>
          </Box>
        </Paper>
      )}
    </Stack>
  );
}
