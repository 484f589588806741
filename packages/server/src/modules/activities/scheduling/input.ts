import { AppError, validationFailed, type FieldError } from '../../../platform/errors.ts';

export interface BookingInput {
  start: Date;
  name: string;
  email: string;
  note: string;
}

export const NAME_MAX = 120;
export const EMAIL_MAX = 254;
export const NOTE_MAX = 2000;
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const ISO_INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Visitor text is plain text: control and bidi-override characters go (they can disguise what
 * the host reads), and so do HTML tags, since the note lands in a meeting description and e-mails.
 */
export function plainText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .trim();
}

/** The visitor's POST body; each refusal names its field, strings are length-capped. */
export function parseBookingInput(body: unknown): BookingInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AppError('bad_request', 'Send a JSON object {start, name, email, note?}', { errors: [{ field: '', code: 'type', message: 'A JSON object' }] });
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(b)) if (!['start', 'name', 'email', 'note'].includes(key)) errors.push({ field: key.slice(0, 40), code: 'unknown_field', message: 'Not accepted here' });
  const text = (field: string, max: number, required: boolean): string => {
    const v = b[field];
    if (v === undefined || v === null || v === '') {
      if (required) errors.push({ field, code: 'required', message: 'Is required' });
      return '';
    }
    if (typeof v !== 'string') {
      errors.push({ field, code: 'type', message: 'Must be a string' });
      return '';
    }
    if (v.length > max) {
      errors.push({ field, code: 'too_long', message: `Must be at most ${max} characters` });
      return '';
    }
    const clean = field === 'note' ? plainText(v) : plainText(v).replace(/\s+/g, ' ');
    if (required && !clean) errors.push({ field, code: 'required', message: 'Is required' });
    return clean;
  };
  const startText = text('start', 40, true);
  let start = new Date(NaN);
  if (startText) {
    start = new Date(startText);
    if (!ISO_INSTANT_RE.test(startText) || Number.isNaN(start.getTime())) errors.push({ field: 'start', code: 'invalid_datetime', message: 'An ISO date-time with a zone, e.g. 2030-03-04T09:00:00Z' });
  }
  const name = text('name', NAME_MAX, true);
  const email = text('email', EMAIL_MAX, true).toLowerCase();
  if (email && !EMAIL_RE.test(email)) errors.push({ field: 'email', code: 'invalid_email', message: 'Must be an e-mail address' });
  const note = text('note', NOTE_MAX, false);
  if (errors.length) throw validationFailed(errors);
  return { start, name, email, note };
}
