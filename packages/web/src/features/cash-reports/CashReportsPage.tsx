import { Stack, Tabs, Text, Title } from '@mantine/core';
import { useNavigate, useParams } from '@tanstack/react-router';
import { AgingReport } from './AgingReport';
import { DsoReport } from './DsoReport';
import { CashCollectedReport } from './CashCollectedReport';
import { RevenueReport } from './RevenueReport';

export const CASH_REPORTS = [
  { value: 'aging', label: 'Aging' },
  { value: 'dso', label: 'DSO' },
  { value: 'cash-collected', label: 'Cash collected' },
  { value: 'revenue', label: 'Revenue by account tree' },
] as const;
type Report = (typeof CASH_REPORTS)[number]['value'];

/**
 * The Cash section (issue 13 item 8, FIN-8): aging, days sales outstanding, cash collected and
 * revenue by account tree — each the server's figures for what the reader may see, per currency.
 */
export function CashReportsPage() {
  const params = useParams({ strict: false }) as { report?: string };
  const navigate = useNavigate();
  const report: Report = (CASH_REPORTS.find((r) => r.value === params.report)?.value ?? 'aging');
  return (
    <Stack gap="md">
      <div>
        <Title order={1}>Cash</Title>
        <Text c="dimmed" size="sm">Receivables and collections for the accounts you can see, per currency (amounts in different currencies are never added together).</Text>
      </div>
      <Tabs value={report} onChange={(v) => v && void navigate({ to: '/cash/$report', params: { report: v } })} keepMounted={false}>
        <Tabs.List>
          {CASH_REPORTS.map((r) => <Tabs.Tab key={r.value} value={r.value}>{r.label}</Tabs.Tab>)}
        </Tabs.List>
        <Tabs.Panel value="aging" pt="md"><AgingReport /></Tabs.Panel>
        <Tabs.Panel value="dso" pt="md"><DsoReport /></Tabs.Panel>
        <Tabs.Panel value="cash-collected" pt="md"><CashCollectedReport /></Tabs.Panel>
        <Tabs.Panel value="revenue" pt="md"><RevenueReport /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
