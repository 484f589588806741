import { Anchor, Badge, Group, Text } from '@mantine/core';
import type { DisplayMap, FieldDef } from '../api/types';
import { lookupTarget, picklistLabel } from '../api/metadata';
import { formatValue, isEmptyValue } from '../lib/format';
import { AnchorLink } from './links';

/** A field's value for reading: formatted in the user's locale, lookups as links. */
export function FieldValue({ field, value, record, display }: { field: FieldDef; value: unknown; record?: Record<string, unknown>; display?: DisplayMap }) {
  if (isEmptyValue(value)) {
    return <Text span c="dimmed" size="sm" aria-label="empty">—</Text>;
  }
  const target = lookupTarget(field);
  if (target && typeof value === 'string') {
    const name = display?.[target]?.[value] ?? value;
    return (
      <AnchorLink to="/o/$object/$id" params={{ object: target, id: value }} search={{ tab: undefined }} size="sm">
        {name}
      </AnchorLink>
    );
  }
  switch (field.type) {
    case 'url': {
      const href = /^https?:\/\//i.test(String(value)) ? String(value) : `https://${String(value)}`;
      return <Anchor href={href} target="_blank" rel="noopener noreferrer" size="sm">{String(value)}</Anchor>;
    }
    case 'email':
      return <Anchor href={`mailto:${String(value)}`} size="sm">{String(value)}</Anchor>;
    case 'phone':
      return <Anchor href={`tel:${String(value).replace(/\s+/g, '')}`} size="sm">{String(value)}</Anchor>;
    case 'multi_picklist':
      return (
        <Group gap={4}>
          {(value as string[]).map((v) => <Badge key={v} variant="light" size="sm">{picklistLabel(field, v)}</Badge>)}
        </Group>
      );
    case 'long_text':
      return <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{String(value)}</Text>;
    case 'number':
    case 'currency':
    case 'percent':
      return <Text span size="sm" style={{ fontVariantNumeric: 'tabular-nums' }}>{formatValue(field, value, record)}</Text>;
    default:
      return <Text span size="sm">{formatValue(field, value, record, display)}</Text>;
  }
}
