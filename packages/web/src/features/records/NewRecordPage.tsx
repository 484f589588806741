import { Paper, Stack, Title } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useMetadata } from '../../api/metadata';
import { RecordForm } from '../../components/RecordForm';
import { Loading } from '../../components/PageState';
import { NotFound } from '../../components/NotFound';

export function NewRecordPage({ object }: { object: string }) {
  const { byName, isLoading } = useMetadata();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const def = byName(object);
  if (isLoading) return <Loading />;
  if (!def) return <NotFound what="object" />;
  return (
    <Stack maw={960}>
      <Title order={1}>New {def.label.toLowerCase()}</Title>
      <Paper withBorder p="md">
        <RecordForm
          object={def}
          onCancel={() => navigate({ to: '/o/$object', params: { object }, search: { view: undefined } })}
          onSaved={(r) => {
            void qc.invalidateQueries({ queryKey: ['records', object] });
            notifications.show({ color: 'green', message: `${def.label} created` });
            navigate({ to: '/o/$object/$id', params: { object, id: r.id }, search: { tab: undefined } });
          }}
        />
      </Paper>
    </Stack>
  );
}
