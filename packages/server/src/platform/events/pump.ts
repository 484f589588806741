import { setImmediate as nextTick } from 'node:timers/promises';

/**
 * Runs `step` over and over: at once while it reports more work, otherwise after `pollMs` or as
 * soon as someone calls wake(). A failing step is logged and retried with a growing pause.
 */
export class Pump {
  readonly #step: () => Promise<boolean>;
  readonly #pollMs: number;
  readonly #onError: (error: unknown) => void;
  #woken = false;
  #stopped = false;
  #wakeUp: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(step: () => Promise<boolean>, pollMs: number, onError: (error: unknown) => void) {
    this.#step = step;
    this.#pollMs = pollMs;
    this.#onError = onError;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#running;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  async #loop(): Promise<void> {
    let pause = 0;
    while (!this.#stopped) {
      this.#woken = false;
      let more = false;
      try {
        more = await this.#step();
        pause = 0;
      } catch (error) {
        if (this.#stopped) break;
        this.#onError(error);
        pause = Math.min(Math.max(pause * 2, this.#pollMs, 100), 30_000);
      }
      if (this.#stopped) break;
      if (!pause && more) {
        await nextTick();
        continue;
      }
      if (!pause && this.#woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pause || this.#pollMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wakeUp = pause ? undefined : done;
        if (this.#stopped) done();
      });
      this.#wakeUp = undefined;
    }
  }
}
