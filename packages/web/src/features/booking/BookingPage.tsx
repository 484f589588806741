import { useState } from 'react';
import { Alert, Center, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { bookingApi, type Slot } from '../../api/booking';
import { localeSettings } from '../../lib/format';
import { BookingForm } from './BookingForm';
import { SlotPicker } from './SlotPicker';
import { formatSlot, visitorZone } from './days';
import './booking.css';

type Step = { kind: 'pick'; notice?: string } | { kind: 'form'; slot: Slot } | { kind: 'done'; slot: Slot; email: string };

/**
 * The public page of a scheduling link (/book/<slug>), outside the signed-in app: no session,
 * every time in the visitor's own zone, which is named on the page.
 */
export function BookingPage({ slug }: { slug: string }) {
  const timeZone = visitorZone();
  const { locale } = localeSettings();
  const qc = useQueryClient();
  const [step, setStep] = useState<Step>({ kind: 'pick' });
  const page = useQuery({ queryKey: ['booking', slug], queryFn: () => bookingApi.page(slug) });

  const taken = () => {
    void qc.invalidateQueries({ queryKey: ['booking', slug, 'slots'] });
    setStep({ kind: 'pick', notice: 'Someone has just booked that time. The free times are updated: please pick another.' });
  };

  let body: React.ReactNode;
  if (page.isPending) body = <Group justify="center" p="xl"><Loader aria-label="Loading" /></Group>;
  else if (page.isError) {
    const missing = page.error instanceof ApiError && page.error.status === 404;
    body = <Alert color={missing ? 'gray' : 'red'} role="alert" title={missing ? 'This booking link is not available' : 'Something went wrong'}>{missing ? 'It does not exist or is no longer active. Ask the person who sent it for a new link.' : errorMessage(page.error)}</Alert>;
  } else {
    const info = page.data;
    body = (
      <Stack gap="md">
        <Stack gap={4}>
          <Text size="sm" c="dimmed">{info.hostName}</Text>
          <Title order={1} size="h2">{info.name}</Title>
          <Text size="sm">{info.durationMinutes} min{info.location ? ` · ${info.location}` : ''}</Text>
          {info.description && <Text size="sm" className="booking-description">{info.description}</Text>}
        </Stack>
        {step.kind === 'done' ? (
          <Alert color="green" title="You're booked" role="status">
            <Stack gap={4}>
              <Text size="sm">{formatSlot(step.slot, locale, timeZone)}</Text>
              <Text size="sm">{info.hostName} has the meeting in their calendar. The booking was made for {step.email}.</Text>
            </Stack>
          </Alert>
        ) : (
          <>
            <Text size="sm" c="dimmed">Times are shown in your time zone: <strong>{timeZone}</strong></Text>
            {step.kind === 'form' ? (
              <BookingForm slug={slug} slot={step.slot} locale={locale} timeZone={timeZone} onBack={() => setStep({ kind: 'pick' })} onTaken={taken} onBooked={(slot, email) => setStep({ kind: 'done', slot, email })} />
            ) : (
              <SlotPicker slug={slug} locale={locale} timeZone={timeZone} notice={step.notice} onPick={(slot) => setStep({ kind: 'form', slot })} />
            )}
          </>
        )}
      </Stack>
    );
  }
  return (
    <Center mih="100vh" p={{ base: 'xs', sm: 'md' }} bg="gray.1" component="main">
      <Paper withBorder shadow="sm" p={{ base: 'md', sm: 'xl' }} radius="md" w="100%" maw={640}>
        {body}
      </Paper>
    </Center>
  );
}
