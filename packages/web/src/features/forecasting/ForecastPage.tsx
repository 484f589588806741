import { useState } from 'react';
import { Alert, Badge, Box, Button, Group, Modal, NativeSelect, Paper, Stack, Table, Text, TextInput, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { Loading } from '../../components/PageState';
import { FormSummary } from '../../components/FormSummary';
import { ButtonLink } from '../../components/links';
import { formatDateTime } from '../../lib/format';
import { useApiForm } from '../../lib/useApiForm';
import { useMe } from '../../lib/useMe';
import { AMOUNT_RE, normaliseAmount, showMoney, showPercent } from './money';
import { forecastingApi, PILLARS_PATH, type Forecast, type ForecastCell } from './api';

type Unit = 'month' | 'quarter';
type Dialog = { kind: 'adjust' | 'quota'; user: { id: string; name: string }; period: string; cell: ForecastCell } | null;

const thisYear = new Date().getFullYear();
const startOf = (unit: Unit, year: number) => (unit === 'month' ? `${year}-01` : `${year}-Q1`);

/**
 * The forecast (/forecast, issue 16 items 7 and 9): periods × the people in the user's forecast —
 * themselves and everyone below their role — each cell the team's number rolled up the role
 * hierarchy; the selected period in detail by forecast category, with quota and attainment; a
 * manager adjusts a rep's number with a reason (kept as history) and sets their quota.
 */
export function ForecastPage() {
  const me = useMe().data;
  const [unit, setUnit] = useState<Unit>('quarter');
  const [year, setYear] = useState(thisYear + 1);
  const [count, setCount] = useState(4);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const from = startOf(unit, year);
  const query = useQuery({ queryKey: ['forecasting', 'forecast', from, count], queryFn: ({ signal }) => forecastingApi.forecast(from, count, signal), placeholderData: (p) => p });
  const data = query.data;
  const period = selected && data?.periods.includes(selected) ? selected : data?.periods[0] ?? null;
  const cellOf = (f: Forecast, user: string, p: string) => f.cells.find((c) => c.user === user && c.period === p)!;
  const mayChange = (user: string) => !!me && (me.isAdmin || user !== me.id);

  return (
    <Stack gap="md" maw={1200}>
      <div>
        <Title order={1}>Forecast</Title>
        <Text size="sm" c="dimmed">Forecast = closed + commit unless a manager adjusted it; weighted = open amount × probability; attainment = closed ÷ quota. A manager's numbers include everyone below their role.{data ? ` Amounts in ${data.currency}: deals in other currencies are converted at today's exchange rate.` : ''}</Text>
      </div>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <NativeSelect label="Periods" data={[{ value: 'quarter', label: 'Quarters' }, { value: 'month', label: 'Months' }]} value={unit}
          onChange={(e) => { const u = e.currentTarget.value as Unit; setUnit(u); setCount(u === 'month' ? 12 : 4); setSelected(null); }} w={140} />
        <NativeSelect label="Year" data={[thisYear - 1, thisYear, thisYear + 1, thisYear + 2].map(String)} value={String(year)} onChange={(e) => { setYear(Number(e.currentTarget.value)); setSelected(null); }} w={110} />
        <ButtonLink variant="default" to={PILLARS_PATH}>Annual three-pillar forecast</ButtonLink>
      </Group>
      {query.isLoading && <Loading />}
      {query.error && <Alert color="red" title="The forecast could not be loaded">{errorMessage(query.error)}</Alert>}
      {data && data.warnings.length > 0 && (
        <Alert color="yellow" title="Some deals are not counted">{data.warnings.join(' ')} Once their exchange rates are entered, they count.</Alert>
      )}
      {data && (
        <>
          <Paper withBorder>
            {/* Positioned, so the visually hidden header text inside stays inside the scroll box at phone width. */}
            <Box style={{ overflowX: 'auto', position: 'relative' }} tabIndex={0} role="region" aria-label="Forecast by period and owner">
              <Table aria-label="Forecast by period and owner (team numbers)" striped miw={200 + data.periods.length * 130}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Owner</Table.Th>
                    {data.periods.map((p) => (
                      <Table.Th scope="col" key={p} ta="right">
                        <Button variant={p === period ? 'light' : 'subtle'} size="compact-sm" onClick={() => setSelected(p)} aria-pressed={p === period}>{p}</Button>
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.users.map((u) => (
                    <Table.Tr key={u.id}>
                      <Table.Th scope="row" fw={u.team.length ? 700 : 400} style={{ paddingLeft: 12 + u.depth * 16 }}>{u.name}{u.team.length > 0 && <Text span size="xs" c="dimmed"> (+{u.team.length})</Text>}</Table.Th>
                      {data.periods.map((p) => {
                        const c = cellOf(data, u.id, p);
                        return (
                          <Table.Td key={p} ta="right">
                            <Text size="sm">{showMoney(c.team.forecast, data.currency)}</Text>
                            <Text size="xs" c="dimmed">{c.team.quota ? `of ${showMoney(c.team.quota, data.currency)} · ${showPercent(c.team.attainment)}` : 'no quota'}</Text>
                          </Table.Td>
                        );
                      })}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Box>
          </Paper>
          {period && (
            <Paper withBorder p="sm">
              <Title order={2} size="h4" mb="xs">{period} by forecast category</Title>
              <Box style={{ overflowX: 'auto', position: 'relative' }} tabIndex={0} role="region" aria-label={`Forecast categories in ${period}`}>
                <Table aria-label={`Forecast categories in ${period}`} striped miw={980}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Owner</Table.Th>
                      {['Closed', 'Commit', 'Best case', 'Pipeline', 'Weighted', 'Forecast', 'Quota', 'Attainment'].map((h) => <Table.Th scope="col" ta="right" key={h}>{h}</Table.Th>)}
                      <Table.Th scope="col"><VisuallyHidden>Actions</VisuallyHidden></Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.users.map((u) => {
                      const c = cellOf(data, u.id, period);
                      return (
                        <Table.Tr key={u.id}>
                          <Table.Th scope="row" fw={400} style={{ paddingLeft: 12 + u.depth * 16 }}>{u.name}</Table.Th>
                          {[c.own.closed, c.own.commit, c.own.bestCase, c.own.pipeline, c.own.weighted].map((v, i) => <Table.Td key={i} ta="right">{showMoney(v, data.currency)}</Table.Td>)}
                          <Table.Td ta="right">
                            {showMoney(c.own.forecast, data.currency)}
                            {c.own.adjustment && <Badge ml={4} size="xs" variant="light" title={`Adjusted from ${showMoney(c.own.computedForecast, data.currency)}: ${c.own.adjustment.reason}`}>adjusted</Badge>}
                          </Table.Td>
                          <Table.Td ta="right">{showMoney(c.own.quota, data.currency)}</Table.Td>
                          <Table.Td ta="right">{showPercent(c.own.attainment)}</Table.Td>
                          <Table.Td>
                            {mayChange(u.id) && (
                              <Group gap={4} wrap="nowrap">
                                <Button size="compact-xs" variant="default" onClick={() => setDialog({ kind: 'adjust', user: u, period, cell: c })} aria-label={`Adjust ${u.name}'s forecast for ${period}`}>Adjust</Button>
                                <Button size="compact-xs" variant="default" onClick={() => setDialog({ kind: 'quota', user: u, period, cell: c })} aria-label={`Set ${u.name}'s quota for ${period}`}>Quota</Button>
                              </Group>
                            )}
                          </Table.Td>
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Box>
            </Paper>
          )}
        </>
      )}
      <ChangeDialog dialog={dialog} currency={data?.currency} onClose={() => setDialog(null)} />
    </Stack>
  );
}

/** Adjust (amount + reason, with the history) or set the quota of one user in one period. */
function ChangeDialog({ dialog, currency, onClose }: { dialog: Dialog; currency: string | undefined; onClose: () => void }) {
  const qc = useQueryClient();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [key, setKey] = useState('');
  const current = dialog ? `${dialog.kind}|${dialog.user.id}|${dialog.period}` : '';
  if (current !== key) {
    setKey(current);
    setAmount(dialog ? (dialog.kind === 'quota' ? dialog.cell.own.quota ?? '' : dialog.cell.own.forecast) : '');
    setReason('');
  }
  const history = useQuery({
    queryKey: ['forecasting', 'adjustments', dialog?.user.id, dialog?.period],
    enabled: dialog?.kind === 'adjust',
    queryFn: () => forecastingApi.adjustments(dialog!.user.id, dialog!.period),
  });
  const form = useApiForm({
    fields: ['amount', 'reason'],
    submit: async () => {
      const value = normaliseAmount(amount);
      if (dialog!.kind === 'quota') return forecastingApi.setQuota({ user: dialog!.user.id, period: dialog!.period, amount: value === '' ? null : value });
      return forecastingApi.adjust({ user: dialog!.user.id, period: dialog!.period, amount: value, reason });
    },
    onSuccess: async () => {
      notifications.show({ message: dialog!.kind === 'quota' ? 'Quota saved' : 'Forecast adjusted' });
      await qc.invalidateQueries({ queryKey: ['forecasting'] });
      onClose();
    },
  });
  const typed = normaliseAmount(amount);
  const amountError = typed !== '' && !AMOUNT_RE.test(typed) ? 'An amount such as 1250.50' : form.errors.amount;
  const title = dialog ? `${dialog.kind === 'quota' ? 'Quota' : 'Adjust forecast'}: ${dialog.user.name}, ${dialog.period}` : '';
  return (
    <Modal opened={dialog !== null} onClose={onClose} title={title} centered>
      <form ref={form.formRef} noValidate onSubmit={(e) => { e.preventDefault(); if (!amountError) form.onSubmit(); }}>
        <Stack>
          <FormSummary summary={form.summary} errors={form.errors} />
          {dialog?.kind === 'adjust' && <Text size="sm">Computed (closed + commit): {showMoney(dialog.cell.own.computedForecast, currency)}</Text>}
          <TextInput label={dialog?.kind === 'quota' ? 'Quota (empty: none)' : 'Forecast'} inputMode="decimal" value={amount} error={amountError} data-autofocus
            required={dialog?.kind === 'adjust'} onChange={(e) => { setAmount(e.currentTarget.value); form.clearError('amount'); }} />
          {dialog?.kind === 'adjust' && (
            <Textarea label="Reason" required value={reason} error={form.errors.reason} autosize minRows={2} onChange={(e) => { setReason(e.currentTarget.value); form.clearError('reason'); }} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={form.pending}>Save</Button>
          </Group>
          {dialog?.kind === 'adjust' && !!history.data?.data.length && (
            <div>
              <Title order={3} size="h5">History</Title>
              <ul aria-label="Adjustment history" style={{ paddingLeft: 18, margin: 0 }}>
                {history.data.data.map((h) => (
                  <li key={h.id}><Text size="sm">{showMoney(h.amount, currency)} (was {showMoney(h.computed, currency)}) — {h.reason} · {h.adjustedByName ?? 'someone'}, {formatDateTime(h.at)}</Text></li>
                ))}
              </ul>
            </div>
          )}
        </Stack>
      </form>
    </Modal>
  );
}
