import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import type { Condition } from '../../api/types';
import { AnchorLink } from '../../components/links';
import type { Answer } from '../analytics/api';
import { DrillList, ReportChart, ReportResult, showValue } from '../analytics/ReportResult';
import type { KpiAnswer, WidgetAnswer } from './api';

/** The records behind a chart's category: the union of its groups' drill-down conditions. */
function categoryDrill(answer: Answer, category: string): Condition | null {
  const axis = answer.columns.find((c) => c.kind === 'group');
  if (!axis) return null;
  const drills = answer.rows.filter((r) => !r.rolledUp?.length && r.drill && showValue(answer, axis, r[axis.key]) === category).map((r) => r.drill!);
  if (!drills.length) return null;
  return drills.length === 1 ? drills[0]! : ({ or: drills } as unknown as Condition);
}

const formatChange = (change: number) => `${change > 0 ? '▲' : change < 0 ? '▼' : ''} ${Math.abs(change * 100).toFixed(1)}%`;

function Kpi({ kpi, title, onDrill }: { kpi: KpiAnswer; title: string; onDrill: () => void }) {
  const value = kpi.value === null || kpi.value === undefined ? '0' : String(kpi.value);
  return (
    <Stack gap={4}>
      <Text size="sm" c="dimmed">{kpi.label}</Text>
      <UnstyledButton onClick={onDrill} aria-label={`${title}: ${value}${kpi.currency ? ` ${kpi.currency}` : ''} — show the records behind it`}>
        <Text fz={32} fw={700} style={{ fontVariantNumeric: 'tabular-nums' }}>{value}{kpi.currency ? ` ${kpi.currency}` : ''}</Text>
      </UnstyledButton>
      {kpi.previousPeriod && (
        <Text size="sm" c={kpi.change === null ? 'dimmed' : kpi.change >= 0 ? 'teal.9' : 'red.9'} data-testid="kpi-comparison">
          {kpi.change === null ? 'No figure to compare with' : formatChange(kpi.change)} vs {kpi.previousPeriod.from} – {kpi.previousPeriod.to} ({String(kpi.previous ?? 0)})
        </Text>
      )}
    </Stack>
  );
}

/** A widget's body: its chart (with a table view), KPI, table or list — or its own error. */
export function WidgetBody({ widget }: { widget: WidgetAnswer }) {
  const [tableView, setTableView] = useState(false);
  const [drill, setDrill] = useState<{ label: string; filter: Condition } | null>(null);
  const object = widget.report?.object ?? '';
  if (widget.error) return <Alert color="red" title="This widget cannot be shown">{widget.error.message}</Alert>;
  const answer = widget.answer;
  const chartType = widget.report?.chart.type && !['none', 'kpi'].includes(widget.report.chart.type) ? widget.report.chart.type : 'bar';
  const measure = widget.report?.chart.measure ?? answer?.columns.find((c) => c.kind === 'measure')?.key ?? 'count';
  return (
    <Stack gap="xs">
      {widget.kind === 'kpi' && widget.kpi && <Kpi kpi={widget.kpi} title={widget.title} onDrill={() => setDrill({ label: widget.title, filter: widget.kpi!.drill })} />}
      {widget.kind === 'chart' && answer && (
        <>
          <Group justify="flex-end">
            <Button size="compact-xs" variant="default" aria-pressed={tableView} onClick={() => setTableView(!tableView)}>{tableView ? 'Chart view' : 'Table view'}</Button>
          </Group>
          {tableView ? (
            <ReportResult object={object} answer={answer} chart="none" chartMeasure={null} title={widget.title} />
          ) : (
            <ReportChart answer={answer} type={chartType} measureKey={measure} title={widget.title} onPick={(category) => {
              const filter = categoryDrill(answer, category);
              if (filter) setDrill({ label: category, filter });
            }} />
          )}
        </>
      )}
      {widget.kind === 'table' && answer && <ReportResult object={object} answer={answer} chart="none" chartMeasure={null} title={widget.title} />}
      {widget.kind === 'list' && answer && (
        <ul aria-label={`${widget.title}: records`} style={{ margin: 0, paddingInlineStart: 18 }}>
          {answer.rows.length === 0 && <li><Text size="sm" c="dimmed">No records.</Text></li>}
          {answer.rows.map((r) => {
            const first = answer.columns[0]?.key ?? 'name';
            return <li key={String(r.id)}><AnchorLink to="/o/$object/$id" params={{ object, id: String(r.id) }} search={{ tab: undefined }}>{String(r[first] ?? r.id)}</AnchorLink></li>;
          })}
        </ul>
      )}
      {widget.ignoredFilters.length > 0 && <Text size="xs" c="dimmed">Not filtered by {widget.ignoredFilters.join(', ')}: the report's object has no such field.</Text>}
      <Modal opened={!!drill} onClose={() => setDrill(null)} title={drill ? `Records: ${drill.label}` : ''} size="lg">
        {drill && <DrillList object={object} filter={drill.filter} />}
      </Modal>
    </Stack>
  );
}

/** The card's heading: the widget's title and a link to its report. */
export function WidgetHeading({ title, reportId, id }: { title: string; reportId: string | null; id: string }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap">
      <Title order={2} size="h5" id={`widget-${id}-title`}>{title}</Title>
      {reportId && <AnchorLink to="/reports/$id" params={{ id: reportId }} size="xs" aria-label={`Open the report of ${title}`}>Report</AnchorLink>}
    </Group>
  );
}
