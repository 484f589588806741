import nodemailer from 'nodemailer';
import { DateTime } from 'luxon';
import type { Platform } from '../../../platform/kernel.ts';
import { reminderSettings } from '../commands/sendReminders.ts';
import { escapeText, fold, utcStamp } from '../domain/ical.ts';
import { recordUrl } from '../notifications/mail.ts';
import type { BookingInput } from './input.ts';
import type { PublicLink } from './link.ts';

interface Booked {
  id: string;
  start: Date;
  end: Date;
}

/** One VEVENT in UTC, so any calendar app can add the booking (METHOD:PUBLISH: no invitation workflow). */
export function bookingIcs(platform: Platform, link: PublicLink, input: BookingInput, booked: Booked): string {
  const host = new URL(platform.config.publicUrl).hostname || 'meridian';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Meridian CRM//Scheduling//EN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${booked.id}@${host}`,
    `DTSTAMP:${utcStamp(new Date())}`,
    `DTSTART:${utcStamp(booked.start)}`,
    `DTEND:${utcStamp(booked.end)}`,
    `SUMMARY:${escapeText(`${link.name}: ${link.host.name} and ${input.name}`)}`,
    ...(link.location ? [`LOCATION:${escapeText(link.location)}`] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

function when(link: PublicLink, booked: Booked): string {
  const start = DateTime.fromJSDate(booked.start, { zone: link.rules.timeZone }).setLocale('en-GB');
  const end = DateTime.fromJSDate(booked.end, { zone: link.rules.timeZone }).setLocale('en-GB');
  return `${start.toFormat('cccc d LLLL yyyy, HH:mm')}–${end.toFormat('HH:mm')} (${link.rules.timeZone}; ${booked.start.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
}

/**
 * After the commit: a confirmation to the visitor and a notice to the host, when SMTP is set up
 * (MERIDIAN_SMTP_URL). The visitor's message carries no host data beyond the name on the page.
 */
export async function sendBookingMails(platform: Platform, link: PublicLink, input: BookingInput, booked: Booked): Promise<void> {
  const settings = reminderSettings(platform);
  if (!settings.smtpUrl) return;
  const transport = nodemailer.createTransport(settings.smtpUrl);
  const ics = { filename: 'booking.ics', content: bookingIcs(platform, link, input, booked), contentType: 'text/calendar; charset=utf-8; method=PUBLISH' };
  const time = when(link, booked);
  try {
    await transport.sendMail({
      from: settings.from,
      to: { name: input.name, address: input.email },
      subject: `Booked: ${link.name} with ${link.host.name}`,
      text: [`Hello ${input.name},`, '', `your meeting "${link.name}" with ${link.host.name} is booked:`, time, ...(link.location ? [`Where: ${link.location}`] : []), '', 'The attached booking.ics adds it to your calendar.', ''].join('\n'),
      attachments: [ics],
    });
    await transport.sendMail({
      from: settings.from,
      to: link.host.email,
      subject: `New booking: ${input.name} (${link.name})`,
      text: [`${input.name} <${input.email}> booked "${link.name}":`, time, ...(input.note ? ['', 'Note:', input.note] : []), '', recordUrl(platform, 'meeting', booked.id), ''].join('\n'),
      attachments: [ics],
    });
  } finally {
    transport.close();
  }
}
