/**
 * What a stack that is starting has to undo, registered by each step as it succeeds and
 * undone newest first: a failed start leaves nothing running, and `stop()` undoes the
 * same things in the same order.
 */
export class Cleanup {
  private readonly undo: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.undo.push(step);
  }

  /** Runs every step, newest first, even past one that fails; throws the first failure. */
  async run(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (let step = this.undo.pop(); step; step = this.undo.pop()) {
      try {
        await step();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
