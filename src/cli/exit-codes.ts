/** Process exit codes; documented in the README, stable across versions. */
export const EXIT = {
  ok: 0,
  /** The run failed (a prediction failed, the API refused, a download failed...). */
  failed: 1,
  /** Invalid invocation or pipeline: no prediction was created. */
  usage: 2,
  /** Interrupted by Ctrl-C or SIGTERM, after canceling what was running. */
  interrupted: 130,
} as const;
