import { useState } from 'react';
import { Anchor, Badge, Checkbox, Group, Text, UnstyledButton } from '@mantine/core';
import { attachmentContentUrl, type TimelineItem as Item } from '../../api/activities';
import { fieldOf, picklistLabel, useMetadata } from '../../api/metadata';
import type { ObjectDef } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { changeSentence } from './changeText';
import { KindIcon } from './icons';
import { formatFull, formatWhen, isDayOnly } from './time';

const STATUS_COLORS: Record<string, string> = {
  completed: 'green', held: 'green', cancelled: 'gray', deferred: 'gray', in_progress: 'yellow', not_started: 'blue', scheduled: 'blue',
};

interface Props {
  item: Item;
  /** The object of the record whose timeline this is (labels of changed fields). */
  object: ObjectDef;
  names: (id: string | null | undefined) => string | undefined;
  overdue: boolean;
  onToggleTask: (item: Item, completed: boolean) => void;
  busy: boolean;
}

export function TimelineItem({ item, object, names, overdue, onToggleTask, busy }: Props) {
  const { byName } = useMetadata();
  const kindDef = byName(item.kind);
  const kindLabel = kindDef?.label ?? (item.kind === 'attachment' ? 'Attachment' : 'Change');
  const dayOnly = isDayOnly(item.kind, item.at);
  const when = formatWhen(item.at, dayOnly);
  const title = item.title || `(untitled ${kindLabel.toLowerCase()})`;
  const statusField = kindDef ? fieldOf(kindDef, item.kind === 'email_log' ? 'direction' : 'status') : undefined;
  const owner = names(item.change ? item.change.actor : item.owner);

  return (
    <li className="timeline-item" data-kind={item.kind} data-id={item.id}>
      <Group wrap="nowrap" align="flex-start" gap="sm">
        {/* A task's checkbox stands in for its icon: one click completes it. */}
        {item.kind === 'task' ? (
          <Checkbox
            className="timeline-check"
            checked={item.status === 'completed'}
            disabled={busy}
            onChange={(e) => onToggleTask(item, e.currentTarget.checked)}
            aria-label={item.status === 'completed' ? `Reopen task ${title}` : `Complete task ${title}`}
          />
        ) : (
          <KindIcon kind={item.kind} />
        )}
        <div className="timeline-body">
          {item.change ? (
            <Text size="sm">
              {changeSentence(object, item.change, names)}
              {owner && <Text span size="sm" c="dimmed"> · by {owner}</Text>}
            </Text>
          ) : (
            <Group gap={6} wrap="wrap" align="center">
              <span className="sr-only">{kindLabel}:</span>
              {item.kind === 'attachment' ? (
                <Anchor href={attachmentContentUrl(item.id)} size="sm" fw={600} download={item.title ?? undefined}>{title}</Anchor>
              ) : (
                <AnchorLink size="sm" fw={600} to="/o/$object/$id" params={{ object: item.kind, id: item.id }} search={{ tab: undefined }} td={item.status === 'completed' ? 'line-through' : undefined}>
                  {title}
                </AnchorLink>
              )}
              {item.status && <Badge size="xs" variant="light" color={STATUS_COLORS[item.status] ?? 'gray'}>{statusField ? picklistLabel(statusField, item.status) : item.status}</Badge>}
              {overdue && <Badge size="xs" variant="light" color="red">Overdue</Badge>}
            </Group>
          )}
          {item.text && <ItemText text={item.text} />}
          <Text size="xs" c="dimmed">
            {item.kind === 'task' && dayOnly ? 'Due ' : ''}
            <time dateTime={item.at} title={formatFull(item.at, dayOnly)}>{when}</time>
            {!item.change && owner ? ` · ${owner}` : ''}
          </Text>
        </div>
      </Group>
    </li>
  );
}

/** A long text: it shows three lines and expands in place. */
const LONG = 240;

function ItemText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const long = text.length > LONG || text.split('\n').length > 3;
  return (
    <div className="timeline-text-wrap">
      <Text size="sm" className="timeline-text" data-open={open || !long || undefined}>{text}</Text>
      {long && (
        <UnstyledButton className="timeline-more" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Show less' : 'Show more'}
        </UnstyledButton>
      )}
    </div>
  );
}
