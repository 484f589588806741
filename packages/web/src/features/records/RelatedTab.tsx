import { useState } from 'react';
import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { RelatedCount } from '../../api/records';
import type { FieldDef, ObjectDef } from '../../api/types';
import { RelatedList } from './RelatedList';

type Related = { object: ObjectDef; field: FieldDef };

const keyOf = (r: { object: { apiName: string } | string; field: { apiName: string } | string }) =>
  `${typeof r.object === 'string' ? r.object : r.object.apiName}.${typeof r.field === 'string' ? r.field : r.field.apiName}`;

/** "Related (13)": the records in all related lists, not the number of lists. */
export function relatedTotal(counts: RelatedCount[] | undefined): string {
  if (!counts) return '';
  const total = counts.reduce((s, c) => s + c.count, 0);
  return ` (${counts.some((c) => !c.exact) ? 'about ' : ''}${total.toLocaleString()})`;
}

/**
 * The related lists of a record: those with records in full, the empty ones folded into one line
 * from which any can be opened to add its first record.
 */
export function RelatedTab(props: { parent: ObjectDef; parentId: string; parentName: string; related: Related[]; counts: UseQueryResult<RelatedCount[]> }) {
  const { related, counts } = props;
  const [opened, setOpened] = useState<Set<string>>(new Set());
  if (related.length === 0) return <Text c="dimmed">No other object points to {props.parent.pluralLabel.toLowerCase()}.</Text>;
  const size = new Map((counts.data ?? []).map((c) => [keyOf(c), c.count]));
  // Until the counts are in, every list shows (as before); afterwards the empty ones fold away.
  const isEmpty = (r: Related) => counts.isSuccess && (size.get(keyOf(r)) ?? 0) === 0 && !opened.has(keyOf(r));
  const shown = related.filter((r) => !isEmpty(r));
  const empty = related.filter(isEmpty);
  return (
    <Stack>
      {shown.map((r) => <RelatedList key={keyOf(r)} parent={props.parent} parentId={props.parentId} parentName={props.parentName} child={r.object} field={r.field} />)}
      {empty.length > 0 && (
        <Paper withBorder p="sm" component="section" aria-label="Empty related lists">
          <Group gap="xs" wrap="wrap">
            <Text size="sm" c="dimmed">No records yet in:</Text>
            {empty.map((r) => {
              const label = related.filter((x) => x.object.apiName === r.object.apiName).length > 1 ? `${r.object.pluralLabel} (${r.field.label})` : r.object.pluralLabel;
              return (
                <Button key={keyOf(r)} size="compact-sm" variant="subtle" onClick={() => setOpened(new Set([...opened, keyOf(r)]))} aria-label={`Show ${label}`}>{label}</Button>
              );
            })}
          </Group>
        </Paper>
      )}
    </Stack>
  );
}
