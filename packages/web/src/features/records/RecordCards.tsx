import { Checkbox, Group, NativeSelect, Text } from '@mantine/core';
import type { FieldDef, RecordData } from '../../api/types';
import { fieldOf, recordTitle } from '../../api/metadata';
import { FieldValue } from '../../components/FieldValue';
import { AnchorLink } from '../../components/links';
import { isEmptyValue } from '../../lib/format';
import type { ListRowsProps } from './RecordTable';

/** How many fields besides the name a card shows: the first of the list's columns that have a value. */
const CARD_FIELDS = 4;


/**
 * The list at phone width (issue 17 item 13): one card per record with its name and the key fields
 * of the list's columns, labelled, instead of a table scrolled sideways whose first screen is only
 * names. Sorting is a select (there are no headers); selection works as in the table.
 */
export function RecordCards({ object, rows, display, columns, sort, onSort, selection, onSelectionChange }: ListRowsProps) {
  const columnFields = columns.map((c) => fieldOf(object, c)).filter((f): f is FieldDef => f !== undefined);
  const fields = columnFields.filter((f) => f.apiName !== object.nameField);
  const nameOf = (r: RecordData) => recordTitle(object, r);
  const sortOptions = [
    { value: '', label: 'Default order' },
    ...columnFields.flatMap((f) => [
      { value: f.apiName, label: `${f.label} ↑` },
      { value: `-${f.apiName}`, label: `${f.label} ↓` },
    ]),
  ];
  // A view may sort by a field it does not show: keep that order choosable too.
  if (sort && !sortOptions.some((o) => o.value === sort)) {
    const f = fieldOf(object, sort.replace(/^-/, ''));
    sortOptions.push({ value: sort, label: `${f?.label ?? sort} ${sort.startsWith('-') ? '↓' : '↑'}` });
  }
  return (
    <div>
      <NativeSelect aria-label="Sort by" data={sortOptions} value={sort} onChange={(e) => onSort(e.currentTarget.value)} mb="xs" size="sm" />
      <ul className="record-cards" aria-label={`${object.pluralLabel} list`}>
        {rows.map((r) => {
          const shown = fields.filter((f) => !isEmptyValue(r[f.apiName])).slice(0, CARD_FIELDS);
          return (
            <li key={r.id} className="record-card" data-record-id={r.id} data-selected={selection[r.id] || undefined}>
              <Group wrap="nowrap" align="flex-start" gap="sm">
                <Checkbox mt={2} aria-label={`Select ${nameOf(r)}`} checked={selection[r.id] === true}
                  onChange={(e) => {
                    const next = { ...selection };
                    if (e.currentTarget.checked) next[r.id] = true;
                    else delete next[r.id];
                    onSelectionChange(next);
                  }} />
                <div className="record-card-body">
                  <AnchorLink to="/o/$object/$id" params={{ object: object.apiName, id: r.id }} search={{ tab: undefined }} fw={600}>{nameOf(r)}</AnchorLink>
                  {shown.length > 0 ? (
                    <dl className="record-card-fields">
                      {shown.map((f) => (
                        <div key={f.apiName}>
                          <dt>{f.label}</dt>
                          <dd><FieldValue field={f} value={r[f.apiName]} record={r} display={display} /></dd>
                        </div>
                      ))}
                    </dl>
                  ) : <Text size="sm" c="gray.7">No other details yet</Text>}
                </div>
              </Group>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
