import { Group, Stack, Text } from '@mantine/core';

export interface Totals {
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
}

/** The totals block; figures always come from the server (stored, or previewed for a choice of optional lines). */
export function QuoteTotals(props: { totals: Totals; money: (n: number) => string; taxInclusive: boolean; pending?: boolean }) {
  const { totals, money } = props;
  const row = (label: string, value: string, strong = false) => (
    <Group justify="space-between" wrap="nowrap">
      <Text size={strong ? 'lg' : 'sm'} fw={strong ? 700 : 400}>{label}</Text>
      <Text size={strong ? 'lg' : 'sm'} fw={strong ? 700 : 400} data-testid={strong ? 'quote-total' : undefined}>{value}</Text>
    </Group>
  );
  return (
    <Stack gap={4} className="oq-totals" aria-busy={props.pending || undefined} aria-live="polite">
      {row('Subtotal', money(totals.subtotal))}
      {totals.discountTotal !== 0 && row('Discount', `−${money(totals.discountTotal)}`)}
      {row(props.taxInclusive ? 'Included tax' : 'Tax', money(totals.taxTotal))}
      {row('Total', money(totals.total), true)}
    </Stack>
  );
}
