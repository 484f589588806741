import { registerListExtension, registerNavPage, registerRecordExtension } from '../../lib/extensions';
import { ButtonLink } from '../../components/links';
import { LevelTemplateEditor } from './TemplateEditor';
import { DisputeAction, DisputeBanner } from './DisputeAction';
import { ScheduleLevels } from './ScheduleLevels';

export const DUNNING_PREVIEW_PATH = '/reminders';

const DueToday = () => <ButtonLink variant="default" to={DUNNING_PREVIEW_PATH}>Reminders due today</ButtonLink>;

/**
 * Payment reminders in the web app (issue 13 item 9, docs/dunning.md): a level's template editor
 * with the server's live preview, the dry run "Reminders due today" with Send now, and an
 * invoice's dispute.
 */
export function registerDunning(): void {
  registerRecordExtension('dunning_level', { Main: LevelTemplateEditor });
  registerRecordExtension('dunning_schedule', { Main: ScheduleLevels });
  registerRecordExtension('invoice', { Actions: DisputeAction, Header: DisputeBanner });
  registerListExtension('dunning_reminder', { Actions: DueToday });
  registerListExtension('dunning_schedule', { Actions: DueToday });
  registerNavPage({ path: DUNNING_PREVIEW_PATH, label: 'Reminders due', object: 'dunning_schedule' });
}
