import type { Platform } from '../kernel.ts';

/**
 * A queue drained in this process on demand (after the commit that filled it): `wake()` starts a
 * round of `drain` unless one is running — then that round goes once more when it ends, so work
 * queued meanwhile is not left for the minute job. One round at a time per platform; never throws
 * (a failure is logged and left to the queue's own retry job).
 */
export function drainOnWake(name: string, drain: (platform: Platform) => Promise<unknown>): (platform: Platform) => Promise<void> {
  const running = new WeakMap<Platform, { again: boolean; done: Promise<void> }>();
  return (platform) => {
    const current = running.get(platform);
    if (current) {
      current.again = true;
      return current.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await drain(platform);
        } while (state.again);
      } catch (error) {
        platform.logger.error({ err: error, queue: name }, 'draining a queue failed; its job will retry');
      } finally {
        running.delete(platform);
      }
    })();
    running.set(platform, state);
    return state.done;
  };
}
