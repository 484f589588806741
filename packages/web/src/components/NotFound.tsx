import { Stack, Text, Title } from '@mantine/core';
import { ButtonLink } from './links';

export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <Stack p="xl" align="flex-start">
      <Title order={1}>Not found</Title>
      <Text>This {what} does not exist, or you cannot see it.</Text>
      <ButtonLink to="/">Go to the start page</ButtonLink>
    </Stack>
  );
}
