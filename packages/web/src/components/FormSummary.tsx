import { Alert } from '@mantine/core';

/**
 * What a refused save says at the top of a form: the errors no field shows, or how many fields
 * need fixing. Focusable, so useApiForm can move focus here when no field is marked.
 */
export function FormSummary({ summary, errors }: { summary: string | null; errors: Record<string, string> }) {
  const count = Object.keys(errors).length;
  if (!summary && !count) return null;
  const fields = count ? `Fix ${count === 1 ? 'the marked field' : `the ${count} marked fields`}.` : '';
  return (
    <Alert color="red" variant="light" role="alert" tabIndex={-1} data-form-summary p="xs">
      {[summary, fields].filter(Boolean).join(' ')}
    </Alert>
  );
}
