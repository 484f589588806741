import { Checkbox, Group, Stack, Text } from '@mantine/core';
import type { PublicQuoteLine } from '../../api/onlineQuote';

/**
 * The quote's lines as stacked rows rather than a table: they read the same at phone width and
 * on a desktop. Optional lines get a box to add them while the quote can still be answered.
 */
export function QuoteLines(props: { lines: PublicQuoteLine[]; money: (n: number) => string; chosen: Set<string>; onToggle?: (id: string, on: boolean) => void }) {
  const { lines, money, chosen } = props;
  return (
    <Stack gap={0} component="ul" className="oq-lines" aria-label="Items">
      {lines.map((l) => {
        const included = l.optional ? chosen.has(l.id) : true;
        const price = l.unitPrice === null ? '' : `${l.quantity} ${l.unit ?? '×'} × ${money(l.unitPrice)}`;
        const discount = l.discountPercent ? ` − ${l.discountPercent}%` : l.discountAmount ? ` − ${money(l.discountAmount)}` : '';
        return (
          <li key={l.id} className="oq-line" data-optional={l.optional || undefined} data-included={included || undefined}>
            <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
              <Stack gap={2} style={{ minWidth: 0 }}>
                <Text fw={600} className="oq-wrap">{l.name}{l.optional && <Text span size="xs" c="dimmed" ml={6}>optional</Text>}</Text>
                {l.description && <Text size="sm" c="dimmed" className="oq-wrap">{l.description}</Text>}
                <Text size="sm">{price}{discount}</Text>
                {l.optional && props.onToggle && (
                  <Checkbox mt={4} label={`Add ${l.name} to my order`} checked={included} onChange={(e) => props.onToggle!(l.id, e.currentTarget.checked)} />
                )}
              </Stack>
              <Text fw={600} ta="right" style={{ whiteSpace: 'nowrap' }} c={included ? undefined : 'dimmed'}>{l.total === null ? '' : money(l.total)}</Text>
            </Group>
          </li>
        );
      })}
    </Stack>
  );
}
