/**
 * Number and duration formats shared by every report and the progress display, so a time reads
 * the same on the terminal, in the Markdown summary and in the HTML page.
 */

/** Formats seconds for people: "42.0 s" under a minute, "5m 12s" under an hour, "1h 02m" beyond. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const clamped = Math.max(0, seconds);
  // Below 59.95 s one decimal still fits; 59.96 s would print as "60.0 s", so it moves up a unit.
  if (clamped < 59.95) return `${clamped.toFixed(1)} s`;
  const whole = Math.round(clamped);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${pad(whole % 60)}s`;
  return `${Math.floor(whole / 3600)}h ${pad(Math.floor((whole % 3600) / 60))}m`;
}

/** Formats an integer with comma thousands separators ("1,204"), independent of the machine's locale. */
export function formatCount(value: number): string {
  return groupThousands(String(Math.round(value)));
}

/** Formats compute or latency seconds with one decimal and thousands separators: "1,204.3 s". */
export function formatSeconds(seconds: number): string {
  const [whole = '0', fraction = '0'] = Math.max(0, seconds).toFixed(1).split('.');
  return `${groupThousands(whole)}.${fraction} s`;
}

/** Formats a latency in milliseconds as seconds ("4.1 s"), or "—" when there is none. */
export function formatLatency(milliseconds: number | null): string {
  return milliseconds === null ? '—' : formatSeconds(milliseconds / 1000);
}

/** Formats a rate with one decimal ("42.5"); "—" when it cannot be known yet. */
export function formatRate(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(1);
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Names a shard for people, 1-based like the row numbers they see ("shard 2 of 4"); `index` is 0-based as `row` is. */
export function describeShard(shard: { index: number; count: number }): string {
  return `shard ${shard.index} of ${shard.count}`;
}
