/**
 * How far a pass over an import's file has come (the run's and the dry run's progress bars): the
 * share of the file's bytes read, rows per second since this process took the pass over (rows
 * done before a restart do not inflate it), and the seconds left at that speed.
 */
export function passProgress(pass: {
  running: boolean;
  finished: boolean;
  checkpoint: string | number;
  bytesDone: string | number;
  fileBytes: number;
  startedAt: Date | null;
  startRows: string | number;
}, now = new Date()): { rowsDone: number; fraction: number; rowsPerSecond: number | null; secondsLeft: number | null } {
  const rowsDone = Number(pass.checkpoint);
  const fraction = pass.finished ? 1 : pass.fileBytes ? Math.min(1, Number(pass.bytesDone) / pass.fileBytes) : 0;
  let rowsPerSecond: number | null = null;
  let secondsLeft: number | null = null;
  if (pass.running && pass.startedAt) {
    const seconds = (now.getTime() - new Date(pass.startedAt).getTime()) / 1000;
    const rows = rowsDone - Number(pass.startRows);
    if (seconds > 0 && rows > 0) {
      rowsPerSecond = Math.round((rows / seconds) * 10) / 10;
      if (fraction > 0) secondsLeft = Math.max(0, Math.round((rowsDone / fraction - rowsDone) / rowsPerSecond));
    }
  }
  return { rowsDone, fraction, rowsPerSecond, secondsLeft };
}
