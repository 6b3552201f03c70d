/** Step time limits: a number of seconds, or a duration string such as `90s`, `5m`, `1h30m`. */

const DURATION = /^(?=\d)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/;
const SECONDS = /^\d+(?:\.\d+)?$/;

/** Parses a timeout to seconds; undefined when it is not a positive duration. */
export function parseDuration(value: unknown): number | undefined {
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string' && SECONDS.test(value)) seconds = Number(value);
  else if (typeof value === 'string') {
    const match = DURATION.exec(value);
    if (match === null) return undefined;
    const [, hours = '0', minutes = '0', rest = '0'] = match;
    seconds = Number(hours) * 3600 + Number(minutes) * 60 + Number(rest);
  }
  return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** True when `text` has the shape of a duration (`90`, `90s`, `5m`, `1h30m`), even a zero one. */
export function isDurationText(text: string): boolean {
  return SECONDS.test(text) || DURATION.test(text);
}
