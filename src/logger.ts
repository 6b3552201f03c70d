/**
 * The one pino logger: always on stderr (stdout carries results), readable on a terminal,
 * JSON lines otherwise, and never able to print the API token.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { Writable } from 'node:stream';
import pinoPretty from 'pino-pretty';

/** The logger type every module receives. */
export type Logger = PinoLogger;

/** How log lines are written. */
export type LogFormat = 'pretty' | 'json';

/** Log levels accepted by --log-level. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options for {@link createLogger}. */
export type LoggerOptions = {
  level?: LogLevel;
  format?: LogFormat;
  destination: NodeJS.WritableStream;
  color?: boolean;
  /** Secrets to scrub from every line, whatever field they hide in (the API token). */
  secrets?: string[];
};

const REDACT_PATHS = [
  'token',
  'auth',
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'env.REPLICATE_API_TOKEN',
];

/** Wraps a destination so any secret that slips into a line is replaced before it is written. */
function scrubbing(destination: NodeJS.WritableStream, secrets: string[]): Writable & DestinationStream {
  const present = secrets.filter((secret) => secret.length >= 4);
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      let clean = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      for (const secret of present) clean = clean.split(secret).join('[redacted]');
      destination.write(clean);
      callback();
    },
  });
}

/** Creates the logger for one CLI invocation (or a library caller). */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const base = {
    level: options.level ?? 'info',
    base: null,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (options.format === 'pretty') {
    const pretty = pinoPretty({
      colorize: options.color ?? false,
      destination: scrubbing(options.destination, secrets),
      ignore: 'pid,hostname',
      translateTime: 'HH:MM:ss',
      singleLine: true,
      hideObject: true,
      sync: true,
    });
    return pino(base, pretty);
  }
  return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, scrubbing(options.destination, secrets));
}
