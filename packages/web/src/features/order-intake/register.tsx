import { registerRecordExtension } from '../../lib/extensions';
import { MappingPanel } from './MappingPanel';
import { SourceActions } from './SourceActions';

/** An order source's page: its signing secret, and the mapping editor with a sample test (issue 12 item 10). */
export function registerOrderIntake(): void {
  registerRecordExtension('order_intake_source', { Actions: SourceActions, Main: MappingPanel });
}
