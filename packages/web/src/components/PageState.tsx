import { Alert, Center, Loader } from '@mantine/core';
import { ApiError, errorMessage } from '../api/client';
import { NotFound } from './NotFound';

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center p="xl">
      <Loader aria-label={label} />
    </Center>
  );
}

export function ErrorState({ error, what }: { error: unknown; what?: string }) {
  if (error instanceof ApiError && error.status === 404) return <NotFound what={what} />;
  return (
    <Alert color="red" title="Something went wrong" role="alert" m="md">
      {errorMessage(error)}
    </Alert>
  );
}
