import { useState } from 'react';
import { Alert, Button, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { errorMessage } from '../../api/client';
import { activeValues } from '../../api/metadata';
import { LookupSelect } from '../../components/LookupSelect';
import { assignmentApi, type AssignmentPreview } from './assignmentApi';
import { useField } from './assignmentShared';

const options = (f: ReturnType<typeof useField>) => (f ? activeValues(f).map((v) => ({ value: v.value, label: v.label })) : []);

/**
 * The "Test a lead" tab: typed values (country, state, postal code, industry, source) and/or an
 * existing lead, and which rule and user the rules would pick — POST /lead-assignment/preview,
 * which assigns nothing and advances no group's turn.
 */
export function TestLeadTab() {
  const leadField = useField('form_submission', 'lead');
  const industry = useField('lead', 'industry');
  const source = useField('lead', 'source');
  const [lead, setLead] = useState<string | null>(null);
  const [values, setValues] = useState({ address_country: '', address_state: '', address_postal_code: '', industry: '', source: '' });
  const [result, setResult] = useState<AssignmentPreview | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof values) => (v: string | null) => setValues((x) => ({ ...x, [k]: v ?? '' }));
  const test = async () => {
    setBusy(true);
    setFailure(null);
    setResult(null);
    try {
      const typed = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim()));
      setResult(await assignmentApi.preview({ ...(lead ? { leadId: lead } : {}), values: typed }));
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="md" maw={760}>
      <Text size="sm" c="dimmed">Which rule and which user the rules would pick for a lead, as they stand now — nothing is assigned and no group's turn is used. Pick an existing lead, type values, or both (typed values replace the lead's).</Text>
      <Paper withBorder p="md" component="form" aria-labelledby="tl-title" onSubmit={(e) => { e.preventDefault(); void test(); }}>
        <Title order={2} size="h4" id="tl-title" mb="xs">A lead to test</Title>
        <Stack gap="sm">
          {leadField && <LookupSelect field={leadField} label="Existing lead" value={lead} onChange={setLead} allowCreate={false} placeholder="Search leads (optional)" />}
          <Group grow align="flex-start" wrap="wrap">
            <TextInput label="Country" value={values.address_country} onChange={(e) => set('address_country')(e.currentTarget.value)} />
            <TextInput label="State" value={values.address_state} onChange={(e) => set('address_state')(e.currentTarget.value)} />
            <TextInput label="Postal code" value={values.address_postal_code} onChange={(e) => set('address_postal_code')(e.currentTarget.value)} />
          </Group>
          <Group grow align="flex-start" wrap="wrap">
            <Select label="Industry" data={options(industry)} value={values.industry || null} onChange={set('industry')} clearable searchable />
            <Select label="Lead source" data={options(source)} value={values.source || null} onChange={set('source')} clearable />
          </Group>
          <Group><Button type="submit" loading={busy}>Test</Button></Group>
        </Stack>
      </Paper>
      {failure && <Alert color="red" title="Could not test">{failure}</Alert>}
      {result && (
        <Alert color={result.rule ? 'blue' : 'yellow'} title="Result" role="status" aria-live="polite">
          {!result.rule && 'No rule decides: the lead would keep its owner, or have none.'}
          {result.rule && result.owner && <>Rule <strong>{result.rule.name}</strong> gives the lead to <strong>{result.owner.name}</strong>.</>}
          {result.rule && result.queue && <>Rule <strong>{result.rule.name}</strong> puts the lead in the queue <strong>{result.queue}</strong> (no owner).</>}
        </Alert>
      )}
    </Stack>
  );
}
