import { localeSettings } from '../../lib/format';
import { useMe } from '../../lib/useMe';
import { firstDayOfWeek } from './dates';

/**
 * Locale and time zone for the day and calendar views. The zone is the user's own (`time_zone`,
 * validated by lib/format when /me loads); without one it is UTC, as the server assumes for the
 * agenda: "today" and day boundaries must match the server's, or evening meetings would land
 * on the wrong day.
 */
export function useCalendarSettings() {
  const me = useMe().data;
  const { locale, timeZone } = localeSettings();
  return { locale, timeZone: me?.time_zone ? timeZone : 'UTC', firstDay: firstDayOfWeek(locale), userId: me?.id ?? '' };
}
