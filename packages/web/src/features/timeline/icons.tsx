import { ThemeIcon } from '@mantine/core';

/** Line icons (24×24, stroked) per timeline kind; the app has no icon package, so a few are drawn here. */
const PATHS: Record<string, string> = {
  task: 'M9 11l3 3l8 -8 M20 12v6a2 2 0 0 1 -2 2h-12a2 2 0 0 1 -2 -2v-12a2 2 0 0 1 2 -2h9',
  meeting: 'M4 7a2 2 0 0 1 2 -2h12a2 2 0 0 1 2 2v12a2 2 0 0 1 -2 2h-12a2 2 0 0 1 -2 -2z M16 3v4 M8 3v4 M4 11h16',
  call: 'M5 4h4l2 5l-2.5 1.5a11 11 0 0 0 5 5l1.5 -2.5l5 2v4a2 2 0 0 1 -2 2a16 16 0 0 1 -15 -15a2 2 0 0 1 2 -2',
  email_log: 'M3 7a2 2 0 0 1 2 -2h14a2 2 0 0 1 2 2v10a2 2 0 0 1 -2 2h-14a2 2 0 0 1 -2 -2z M3 7l9 6l9 -6',
  note: 'M14 3v4a1 1 0 0 0 1 1h4 M17 21h-10a2 2 0 0 1 -2 -2v-14a2 2 0 0 1 2 -2h7l5 5v11a2 2 0 0 1 -2 2z M9 13h6 M9 17h4',
  attachment: 'M15 7l-6.5 6.5a1.5 1.5 0 0 0 3 3l6.5 -6.5a3 3 0 0 0 -6 -6l-6.5 6.5a4.5 4.5 0 0 0 9 9l6.5 -6.5',
  change: 'M4 12a8 8 0 0 1 14 -5l2 2 M20 4v5h-5 M20 12a8 8 0 0 1 -14 5l-2 -2 M4 20v-5h5',
};

const COLORS: Record<string, string> = { task: 'indigo', meeting: 'grape', call: 'teal', email_log: 'blue', note: 'yellow', attachment: 'gray', change: 'gray' };

export function KindIcon({ kind }: { kind: string }) {
  return (
    <ThemeIcon variant="light" color={COLORS[kind] ?? 'gray'} radius="xl" size="md" aria-hidden>
      <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d={PATHS[kind] ?? PATHS.note} />
      </svg>
    </ThemeIcon>
  );
}
