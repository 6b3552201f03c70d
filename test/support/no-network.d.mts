/** True for hosts that stay on this machine: localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string | undefined | null): boolean;
/** The error every blocked connection attempt throws. */
export function blockedError(host: string): Error & { code: string };
