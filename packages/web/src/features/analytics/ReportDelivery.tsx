import { useState } from 'react';
import { ActionIcon, Alert, Anchor, Button, Group, Modal, MultiSelect, NativeSelect, NumberInput, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { useMe } from '../../lib/useMe';
import { reportExportUrl, scheduleApi, type Report, type Schedule, type ScheduleInput, type ScheduleTarget } from './api';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** "Every Monday at 08:00 (Europe/Berlin)" — how a schedule reads in the list. */
export function describeSchedule(s: Pick<Schedule, 'frequency' | 'at' | 'weekday' | 'monthDay' | 'timeZone'>): string {
  const when = s.frequency === 'daily' ? 'Every day' : s.frequency === 'weekly' ? `Every ${WEEKDAYS[(s.weekday ?? 1) - 1]}` : `Monthly on day ${s.monthDay}`;
  return `${when} at ${s.at} (${s.timeZone})`;
}

function recipientsText(s: Schedule): string {
  const parts = [];
  if (s.recipients.users.length) parts.push(`${s.recipients.users.length} user${s.recipients.users.length === 1 ? '' : 's'}`);
  if (s.recipients.groups.length) parts.push(`group${s.recipients.groups.length === 1 ? '' : 's'} ${s.recipients.groups.join(', ')}`);
  return parts.join(' and ') || 'nobody';
}

const localDateTime = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

/**
 * A saved report's way out of the app (issue 16 item 5): download it as CSV or XLSX, or have it
 * e-mailed on a schedule. Both run the report as the person receiving it, so a shared report
 * never shows anyone more than their own list views would.
 */
export function ReportDelivery({ report }: { report: Report }) {
  return (
    <Group gap={4} wrap="wrap" role="group" aria-label="Export or schedule this report">
      <Button component="a" variant="default" href={reportExportUrl(report.id, 'csv')} download title="Download the report as CSV, run with your access">Export CSV</Button>
      <Button component="a" variant="default" href={reportExportUrl(report.id, 'xlsx')} download title="Download the report as an Excel workbook">Export XLSX</Button>
      <ScheduleButton target={{ kind: 'report', id: report.id, name: report.name, ownerId: report.ownerId }} />
    </Group>
  );
}

/** "Schedule e-mail…" and its dialog, for a report or a dashboard. */
export function ScheduleButton({ target }: { target: ScheduleTarget }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="default" onClick={() => setOpen(true)}>Schedule e-mail…</Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`E-mail “${target.name}” on a schedule`} size="lg">
        {open && <Schedules target={target} />}
      </Modal>
    </>
  );
}

function Schedules({ target }: { target: ScheduleTarget }) {
  const qc = useQueryClient();
  const { data: me } = useMe();
  const key = ['analytics', 'schedules', target.kind, target.id];
  const schedules = useQuery({ queryKey: key, queryFn: () => scheduleApi.list(target) });
  const remove = useMutation({
    mutationFn: (id: string) => scheduleApi.remove(id),
    onSuccess: () => qc.invalidateQueries({ queryKey: key }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const send = useMutation({
    mutationFn: (id: string) => scheduleApi.sendNow(id),
    onSuccess: (r) => {
      notifications.show({ message: `Sent ${r.sent} e-mail${r.sent === 1 ? '' : 's'}${r.broken ? `; ${r.broken} recipient(s) told it cannot run for them` : ''}${r.failed ? `; ${r.failed} failed` : ''}` });
      void qc.invalidateQueries({ queryKey: key });
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const mayAddressOthers = !!me && (me.isAdmin || me.id === target.ownerId);
  return (
    <Stack gap="md">
      <Text size="sm">Each recipient gets the {target.kind} run with their own access: they see only the records they could open in Meridian.{target.kind === 'dashboard' ? ' Each widget is in the e-mail, its rows attached.' : ''}</Text>
      <section aria-label="Schedules">
        <Title order={3} size="h5" mb="xs">Schedules</Title>
        {schedules.isLoading && <Text size="sm" c="dimmed">Loading…</Text>}
        {schedules.error && <Alert color="red">{errorMessage(schedules.error)}</Alert>}
        {schedules.data?.length === 0 && <Text size="sm" c="dimmed">Not scheduled yet. Add a schedule below.</Text>}
        <Stack gap="xs">
          {schedules.data?.map((s) => (
            <Group key={s.id} justify="space-between" wrap="nowrap" align="flex-start">
              <div>
                <Text size="sm" fw={600}>{describeSchedule(s)} · {s.format.toUpperCase()}</Text>
                <Text size="xs" c="dimmed">
                  To {recipientsText(s)}
                  {' · '}next {localDateTime(s.nextRunAt)}
                  {s.lastRunAt && s.lastResult && ` · last ${localDateTime(s.lastRunAt)}: ${s.lastResult.sent} sent${s.lastResult.failed ? `, ${s.lastResult.failed} failed` : ''}`}
                </Text>
              </div>
              <Group gap={4} wrap="nowrap">
                <Button size="xs" variant="default" loading={send.isPending && send.variables === s.id} onClick={() => send.mutate(s.id)}>Send now</Button>
                <ActionIcon variant="subtle" color="red" aria-label={`Delete schedule: ${describeSchedule(s)}`} onClick={() => remove.mutate(s.id)}>✕</ActionIcon>
              </Group>
            </Group>
          ))}
        </Stack>
      </section>
      <ScheduleForm target={target} mayAddressOthers={mayAddressOthers} defaultZone={me?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone} myId={me?.id ?? ''}
        onCreated={() => qc.invalidateQueries({ queryKey: key })} />
      {target.kind === 'report' && <Text size="xs" c="dimmed">Or download it now: <Anchor underline="always" href={reportExportUrl(target.id, 'xlsx')} download>XLSX</Anchor> · <Anchor underline="always" href={reportExportUrl(target.id, 'csv')} download>CSV</Anchor></Text>}
    </Stack>
  );
}

function ScheduleForm({ target, mayAddressOthers, defaultZone, myId, onCreated }: { target: ScheduleTarget; mayAddressOthers: boolean; defaultZone: string; myId: string; onCreated: () => void }) {
  const [frequency, setFrequency] = useState<ScheduleInput['frequency']>('weekly');
  const [at, setAt] = useState('08:00');
  const [weekday, setWeekday] = useState(1);
  const [monthDay, setMonthDay] = useState<number | string>(1);
  const [timeZone, setTimeZone] = useState(defaultZone);
  const [format, setFormat] = useState<'csv' | 'xlsx'>('xlsx');
  const [users, setUsers] = useState<string[]>(myId ? [myId] : []);
  const [groups, setGroups] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const people = useQuery({ queryKey: ['analytics', 'schedule-users'], queryFn: scheduleApi.users, enabled: mayAddressOthers, staleTime: 60_000 });
  const create = useMutation({
    mutationFn: () => scheduleApi.create(target, {
      frequency, at, timeZone, format, weekday: frequency === 'weekly' ? weekday : null, monthDay: frequency === 'monthly' ? Number(monthDay) : null,
      recipients: { users: mayAddressOthers ? users : [myId], groups: mayAddressOthers ? groups : [] },
    }),
    onSuccess: () => {
      setErrors({});
      notifications.show({ message: 'Schedule added' });
      onCreated();
    },
    onError: (error) => {
      const problem = (error as { problem?: { errors?: Array<{ field: string; message: string }> } }).problem;
      const byField: Record<string, string> = {};
      for (const e of problem?.errors ?? []) byField[e.field.replace(/\[\d+\]$/, '')] = e.message;
      setErrors(Object.keys(byField).length ? byField : { form: errorMessage(error) });
    },
  });
  const userOptions = (people.data ?? []).map((u) => ({ value: String(u.id), label: `${String(u.full_name ?? '')} <${String(u.email ?? '')}>` }));
  return (
    <form aria-label="New schedule" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
      <Stack gap="sm">
        <Title order={3} size="h5">New schedule</Title>
        <Group grow align="flex-start" wrap="wrap">
          <NativeSelect label="Frequency" value={frequency} onChange={(e) => setFrequency(e.currentTarget.value as ScheduleInput['frequency'])} error={errors.frequency}
            data={[{ value: 'daily', label: 'Daily' }, { value: 'weekly', label: 'Weekly' }, { value: 'monthly', label: 'Monthly' }]} />
          {frequency === 'weekly' && <NativeSelect label="On" value={String(weekday)} onChange={(e) => setWeekday(Number(e.currentTarget.value))} error={errors.weekday} data={WEEKDAYS.map((d, i) => ({ value: String(i + 1), label: d }))} />}
          {frequency === 'monthly' && <NumberInput label="Day of the month" min={1} max={31} value={monthDay} onChange={setMonthDay} error={errors.monthDay} description="Shorter months: their last day" />}
          <TextInput label="At" type="time" value={at} onChange={(e) => setAt(e.currentTarget.value)} error={errors.at} required />
        </Group>
        <Group grow align="flex-start" wrap="wrap">
          <TextInput label="Time zone" value={timeZone} onChange={(e) => setTimeZone(e.currentTarget.value)} error={errors.timeZone} />
          <NativeSelect label="Attachment" value={format} onChange={(e) => setFormat(e.currentTarget.value as 'csv' | 'xlsx')} data={[{ value: 'xlsx', label: 'Excel (XLSX)' }, { value: 'csv', label: 'CSV' }]} />
        </Group>
        {mayAddressOthers ? (
          <>
            <MultiSelect label="Send to users" data={userOptions} value={users} onChange={setUsers} searchable error={errors['recipients.users'] ?? errors.recipients} nothingFoundMessage="No user matches" />
            <TagsInput label="And to groups" description="Group names; every member gets their own copy" value={groups} onChange={setGroups} error={errors['recipients.groups']} />
          </>
        ) : (
          <Text size="sm">Sent to you. The {target.kind}'s owner or an administrator can send it to others.</Text>
        )}
        {errors.form && <Alert color="red" role="alert">{errors.form}</Alert>}
        <Group><Button type="submit" loading={create.isPending}>Add schedule</Button></Group>
      </Stack>
    </form>
  );
}
