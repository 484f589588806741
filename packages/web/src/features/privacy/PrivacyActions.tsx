import { useState } from 'react';
import { Alert, Anchor, Button, Group, List, Menu, Modal, Stack, Text } from '@mantine/core';
import { errorMessage } from '../../api/client';
import { getRecord } from '../../api/records';
import type { RecordData } from '../../api/types';
import type { RecordSlotProps } from '../../lib/extensions';
import { privacyApi, type Erasure } from './api';

/**
 * A contact's or lead's privacy requests (issue 15 item 10, docs/privacy.md): download everything
 * Meridian holds about the person (a tar.gz of JSON and files, audited), and erase the person —
 * after a confirmation that says what erasure does and what the law makes Meridian keep. The
 * server decides who may erase (the privacy.erase permission) and answers what it kept and why.
 */
export function PrivacyActions({ object, id, name, onSaved }: RecordSlotProps) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [result, setResult] = useState<Erasure | null>(null);
  const close = () => {
    setConfirming(false);
    setFailure(null);
    setResult(null);
  };
  const erase = async () => {
    setBusy(true);
    setFailure(null);
    try {
      setResult(await privacyApi.erase(object.apiName, id));
      onSaved((await getRecord(object.apiName, id)) as RecordData);
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Menu position="bottom-end">
        <Menu.Target><Button variant="default">Privacy</Button></Menu.Target>
        <Menu.Dropdown>
          <Menu.Item component="a" href={privacyApi.exportUrl(object.apiName, id)} download>Download personal data</Menu.Item>
          <Menu.Item color="red" onClick={() => setConfirming(true)}>Erase personal data…</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={confirming} onClose={close} title={result ? 'Personal data erased' : `Erase ${name}?`}>
        {result ? (
          <Stack gap="sm">
            <Text size="sm">Cleared on the record, in its field history ({result.history} entries) and in stored events ({result.events}):</Text>
            <Text size="sm" fw={500}>{result.erased.join(', ') || 'nothing left to clear'}</Text>
            {result.kept.map((k) => (
              <Alert key={k.reason} color="yellow" title={`Kept: ${k.fields.join(', ')}`}>
                <Text size="sm">{k.reason}</Text>
                <List size="sm" mt={4}>{k.documents.map((d) => <List.Item key={d.id}><Anchor href={`/o/${d.object}/${d.id}`}>{d.name}</Anchor> — {d.reason}</List.Item>)}</List>
              </Alert>
            ))}
            <Group justify="flex-end"><Button onClick={close}>Done</Button></Group>
          </Stack>
        ) : (
          <Stack gap="sm">
            <Text size="sm">
              The person's personal details are removed from this {object.label.toLowerCase()}, from its field history and from the events
              Meridian stored about it. This cannot be undone. Where the law requires a document to be kept (a posted invoice), the name on it
              stays and you will be told which.
            </Text>
            <Text size="sm" c="dimmed">Download the personal data first if the person asked for a copy.</Text>
            {failure && <Alert color="red" role="alert" title="Nothing was erased">{failure}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>Cancel</Button>
              <Button color="red" loading={busy} onClick={erase}>Erase personal data</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
