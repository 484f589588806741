import { registerRecordExtension } from '../../lib/extensions';
import { PortalAccess } from './PortalAccess';

/** A contact's customer-portal access and access log, beside the timeline on the contact's page (issue 13 item 6). */
export function registerPortalAccess(): void {
  registerRecordExtension('contact', { Side: PortalAccess });
}
