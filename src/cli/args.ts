/**
 * Argument parsing shared by every command: strict node:util parseArgs with usage errors that
 * suggest the flag meant, the value checks commands repeat, and the logging flags.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '../did-you-mean.js';
import { UsageError } from '../errors.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../logger.js';
import type { CliIo } from './io.js';

/** What parseArgs returns for a config (node:util names the type only inside its namespace). */
type ParsedResults<C extends ParseArgsConfig> = ReturnType<typeof parseArgs<C>>;

/** The option definitions a command passes to {@link parseCommandArgs}. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's arguments (positionals allowed, unknown flags refused with a did-you-mean). */
export function parseCommandArgs<T extends CommandOptions>(argv: string[], options: T, helpHint: string): ParsedResults<{ args: string[]; allowPositionals: true; strict: true; tokens: true; options: T }> {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, tokens: true, options });
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? 'invalid arguments') : String(error);
    const unknown = /^Unknown option '(--?[^']+)'/.exec(message)?.[1];
    if (unknown !== undefined) {
      const suggestion = didYouMean(unknown.replace(/^-+/, ''), Object.keys(options));
      throw new UsageError('E_USAGE', `unknown option ${unknown}${suggestion === undefined ? '' : ` (did you mean --${suggestion}?)`}`, { hint: helpHint });
    }
    throw new UsageError('E_USAGE', message.replace(/\. To specify a positional argument.*$/, ''), { hint: helpHint });
  }
}

/** A flag value that must be one of `allowed`. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError('E_USAGE', `${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

/** A flag value that must be a whole number ≥ 1. */
export function positiveInteger(flag: string, value: string | undefined, hint?: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new UsageError('E_USAGE', `${flag} must be a whole number of at least 1 (got "${value}")`, hint ? { hint } : {});
  }
  return number;
}

/** The option definitions of --log-format and --log-level, for commands that log. */
export const LOGGING_OPTIONS = {
  'log-format': { type: 'string' },
  'log-level': { type: 'string' },
} satisfies CommandOptions;

/**
 * --log-format and --log-level, checked up front: pretty on a terminal and JSON lines otherwise;
 * the level defaults per format as the command chooses.
 */
export function resolveLogging(
  values: { 'log-format'?: string | undefined; 'log-level'?: string | undefined },
  io: CliIo,
  defaultLevel: Record<LogFormat, LogLevel>,
): { format: LogFormat; level: LogLevel } {
  const format = oneOf<LogFormat>('--log-format', values['log-format'], ['pretty', 'json']) ?? (io.stderr.isTTY ? 'pretty' : 'json');
  const level = oneOf<LogLevel>('--log-level', values['log-level'], LOG_LEVELS) ?? defaultLevel[format];
  return { format, level };
}

/** Parses `--var name=value` occurrences into a map; a malformed one is a usage error. */
export function parseVars(values: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals <= 0) throw new UsageError('E_USAGE', `--var "${value}" is not NAME=VALUE`, { hint: 'write --var product="colorful socks"' });
    vars[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return vars;
}
