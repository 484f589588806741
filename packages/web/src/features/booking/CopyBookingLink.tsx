import { Button, CopyButton } from '@mantine/core';

/** On a booking_link record page: the public address to send to customers. */
export function CopyBookingLink({ slug }: { slug: string }) {
  const url = `${window.location.origin}/book/${encodeURIComponent(slug)}`;
  return (
    <CopyButton value={url}>
      {({ copied, copy }) => (
        <Button variant="default" onClick={copy} title={url} aria-live="polite">
          {copied ? 'Copied' : 'Copy public link'}
        </Button>
      )}
    </CopyButton>
  );
}
