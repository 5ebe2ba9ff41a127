/**
 * A one-line progress bar on stderr: redrawn in place on a terminal, one line per finished
 * phase otherwise (CI logs), so output stays readable either way.
 */
export class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Adds `amount` finished units of `phase`. */
  tick(phase: string, amount: number): void {
    this.done += amount;
    const now = Date.now();
    if (this.stream.isTTY && now - this.lastDraw > 100) {
      this.lastDraw = now;
      this.stream.write(`\r${this.render(phase)}\u001b[K`);
    }
  }

  /** Marks the end of a phase (a line of its own when not on a terminal). */
  phaseDone(phase: string): void {
    if (this.stream.isTTY) this.stream.write(`\r${this.render(phase)}\u001b[K`);
    else this.stream.write(`${this.render(phase)}\n`);
  }

  finish(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }

  private render(phase: string): string {
    const ratio = this.total === 0 ? 1 : Math.min(this.done / this.total, 1);
    const width = 30;
    const filled = Math.round(ratio * width);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${phase} ${seconds}s`;
  }
}
