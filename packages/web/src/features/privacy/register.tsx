import { registerRecordExtension } from '../../lib/extensions';
import { PrivacyActions } from './PrivacyActions';

/** Privacy requests on the people Meridian holds data about (docs/privacy.md). */
export function registerPrivacy(): void {
  for (const object of ['contact', 'lead']) registerRecordExtension(object, { Actions: PrivacyActions });
}
