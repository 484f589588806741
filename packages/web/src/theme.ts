import { Alert, createTheme, Menu, Modal, MultiSelect, Notification, Select, TagsInput } from '@mantine/core';
import { DateInput, DateTimePicker } from '@mantine/dates';

const clear = { clearButtonProps: { 'aria-label': 'Clear' } };

export const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 7 keeps white text on primary buttons above 4.5:1 contrast.
  primaryShade: 7,
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  components: {
    // Mantine's close buttons are icon-only: give them a name for screen readers.
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } } }),
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    Alert: Alert.extend({ defaultProps: { closeButtonLabel: 'Dismiss' } }),
    // Mantine puts an empty role="presentation" div with tabindex in every open menu to hold the
    // initial focus; a focusable presentational child is not allowed in role="menu"
    // (axe aria-required-children, critical). Without it, opening moves focus to the dropdown and
    // the arrow keys reach the items as before.
    Menu: Menu.extend({ defaultProps: { withInitialFocusPlaceholder: false } }),
    Select: Select.extend({ defaultProps: clear }),
    MultiSelect: MultiSelect.extend({ defaultProps: clear }),
    TagsInput: TagsInput.extend({ defaultProps: clear }),
    DateInput: DateInput.extend({ defaultProps: clear }),
    DateTimePicker: DateTimePicker.extend({ defaultProps: clear }),
  },
});
