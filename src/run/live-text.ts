/**
 * The text of a generation as it grows, and what of it may be shown yet. With stop sequences,
 * the tail that could be the start of a stop is held back until the next token settles it, so
 * the live display never shows text the final output will not have, even when a stop is split
 * across tokens.
 */
import { findStop } from './stop.js';

/** Accumulates a generation's text, reports where a stop sequence appears, and emits safe text. */
export class LiveText {
  private text = '';
  private emitted = 0;
  private readonly stops: readonly string[];
  private readonly emit: (chunk: string) => void;

  constructor(stops: readonly string[], emit: (chunk: string) => void) {
    this.stops = stops.filter((stop) => stop !== '');
    this.emit = emit;
  }

  /** Everything generated so far. */
  get accumulated(): string {
    return this.text;
  }

  /** Adds a streamed token; returns true once the text contains a stop sequence. */
  append(chunk: string): boolean {
    this.text += chunk;
    return this.settle();
  }

  /**
   * Takes the whole output so far (a poll's view). A poll that lags behind what the stream
   * already gave is ignored; one that is ahead replaces it, so output is never lost.
   */
  replace(whole: string): boolean {
    if (whole.length > this.text.length) this.text = whole;
    return this.settle();
  }

  /** Emits whatever of `final` was not shown yet (the end of a generation). */
  finish(final: string): void {
    const shown = this.text.slice(0, this.emitted);
    if (final.startsWith(shown) && final.length > this.emitted) this.emit(final.slice(this.emitted));
    this.emitted = Math.max(this.emitted, final.length);
  }

  /** Emits up to the stop, or up to the longest tail that might still become one. */
  private settle(): boolean {
    const stopAt = findStop(this.text, this.stops);
    const end = stopAt === -1 ? this.text.length - this.possibleStopStart() : stopAt;
    if (end > this.emitted) {
      this.emit(this.text.slice(this.emitted, end));
      this.emitted = end;
    }
    return stopAt !== -1;
  }

  /** Length of the longest suffix of the text that is a proper prefix of some stop sequence. */
  private possibleStopStart(): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, this.text.length); length > longest; length--) {
        if (this.text.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
