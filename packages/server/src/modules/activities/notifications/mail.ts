import type { Platform } from '../../../platform/kernel.ts';

/** The web app's page of a record, for links in e-mails (the app routes records as /o/<object>/<id>). */
export function recordUrl(platform: Platform, object: string, id: string): string {
  return `${platform.config.publicUrl.replace(/\/$/, '')}/o/${object}/${id}`;
}
