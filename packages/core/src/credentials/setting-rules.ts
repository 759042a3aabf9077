import { z } from 'zod';
import { ConfigurationError } from '../errors/index';
import { describeType } from '../runtime/arguments';

/**
 * Rules every secret-ish setting (client id, client secret, encryption key ...) must pass, at set-up and again
 * before use. Failures name the setting and the rule, never the value: a message may end up in a log, an issue
 * tracker or a screenshot.
 *
 * A value is refused when it is:
 * - unset (`undefined`: for an environment variable, "is not set"), or not a string;
 * - empty, or whitespace only;
 * - padded with leading or trailing whitespace (a copy-paste accident that makes a provider reject the credential
 *   with an unhelpful error later);
 * - a placeholder, compared case-insensitively (see `PLACEHOLDER_VALUES` and `PLACEHOLDER_PATTERNS`).
 */

/** Whole values (case-insensitive) that are placeholders from docs, templates and `.env.example` files. */
export const PLACEHOLDER_VALUES: readonly string[] = [
  'changeme',
  'change-me',
  'change_me',
  'change me',
  'changethis',
  'change-this',
  'change_this',
  'replaceme',
  'replace-me',
  'replace_me',
  'replace me',
  'placeholder',
  'example',
  'sample',
  'dummy',
  'fake',
  'secret',
  'password',
  'test',
  'testing',
  'todo',
  'tbd',
  'fixme',
  'none',
  'null',
  'nil',
  'undefined',
  'default',
  'client_id',
  'client-id',
  'clientid',
  'client_secret',
  'client-secret',
  'clientsecret',
  'redirect_uri',
  'redirect-uri',
];

/** Shapes of placeholder values (tested against the whole value). */
export const PLACEHOLDER_PATTERNS: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: /^your[-_ ]/i, why: 'starts with "your-"' },
  { pattern: /^(?:enter|insert|put|add)[-_ ]your/i, why: 'asks to insert your own value' },
  { pattern: /^<.*>$/s, why: 'is wrapped in <...>' },
  { pattern: /^\{\{.*\}\}$/s, why: 'is an unexpanded {{...}} template' },
  { pattern: /^\$\{.*\}$/s, why: 'is an unexpanded $-brace reference' },
  { pattern: /^\[.*\]$/s, why: 'is wrapped in [...]' },
  { pattern: /^x{3,}$/i, why: 'is "xxx"' },
  // `****`, `0000`, `aaaa`: no real credential is one character repeated; masked copies from dashboards are.
  { pattern: /^(.)\1{2,}$/s, why: 'repeats one character' },
  { pattern: /^\.{3,}$|^…$/, why: 'is an ellipsis' },
];

/** Why a setting value was refused. */
export type SettingProblem = 'unset' | 'not_string' | 'empty' | 'whitespace_only' | 'padded' | 'placeholder';

export interface SettingCheck {
  problem: SettingProblem;
  /** Human-readable rule, without the value. */
  rule: string;
}

/** Checks a setting value against the rules above. Returns null when it is usable. */
export function checkSettingValue(value: unknown): SettingCheck | null {
  if (value === undefined) return { problem: 'unset', rule: 'is not set' };
  if (typeof value !== 'string') return { problem: 'not_string', rule: 'must be a string' };
  if (value.length === 0) return { problem: 'empty', rule: 'is empty' };
  if (value.trim().length === 0) return { problem: 'whitespace_only', rule: 'contains only whitespace' };
  if (value.trim() !== value) {
    return {
      problem: 'padded',
      rule: 'has leading or trailing whitespace (check for a stray space or newline)',
    };
  }
  const lower = value.toLowerCase();
  if (PLACEHOLDER_VALUES.includes(lower)) {
    return { problem: 'placeholder', rule: 'is a placeholder value; set the real value' };
  }
  for (const { pattern, why } of PLACEHOLDER_PATTERNS) {
    if (pattern.test(value)) return { problem: 'placeholder', rule: `looks like a placeholder (${why})` };
  }
  return null;
}

/** The message for a refused setting. Takes the name only, so it cannot leak the value. */
export function settingMessage(name: string, check: SettingCheck): string {
  return `${name} ${check.rule}`;
}

// The name goes into every message; a non-string (or a value passed in the name's place) must not.
function assertSettingName(fn: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConfigurationError(
      'name',
      `${fn}: name must be the setting's name (a non-empty string), got ${typeof name === 'string' ? 'an empty string' : describeType(name)}`,
    );
  }
}

/**
 * Throws `ConfigurationError` naming `name` and the rule unless `value` is a usable setting; returns it typed.
 *
 * @example
 * const secret = assertSetting('QUICKBOOKS_CLIENT_SECRET', process.env.QUICKBOOKS_CLIENT_SECRET);
 */
export function assertSetting(name: string, value: unknown): string {
  assertSettingName('assertSetting', name);
  const check = checkSettingValue(value);
  if (check)
    throw new ConfigurationError(name, settingMessage(name, check), { details: { rule: check.problem } });
  return value as string;
}

/**
 * A zod schema for one setting: accepts `unknown`, yields the string, and reports a rule violation as an issue
 * whose message names the setting (never the value). zod does not copy the input into issues unless asked to.
 */
export function settingString(name: string) {
  assertSettingName('settingString', name);
  return z
    .unknown()
    .superRefine((value, ctx) => {
      const check = checkSettingValue(value);
      if (check)
        ctx.addIssue({ code: 'custom', message: settingMessage(name, check), params: { setting: name } });
    })
    .transform((value) => value as string);
}
