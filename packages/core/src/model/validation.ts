import type { z } from 'zod';
import { ValidationError } from '../errors/index';
import { expectString, invalidArgument } from '../runtime/arguments';

/** Turns zod issues into `ValidationError` issues with dotted paths (`lines.0.quantity`). */
export function toValidationIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  if (!Array.isArray((error as { issues?: unknown } | null)?.issues)) {
    throw invalidArgument('toValidationIssues', 'error', 'a ZodError', error);
  }
  return error.issues.map((issue) => ({
    path: issue.path.map((segment) => String(segment)).join('.') || '(root)',
    message: issue.message,
  }));
}

/**
 * Parses `input` with `schema`, throwing `ValidationError` (code `validation_failed`) listing every failing path.
 * The message names the record kind and the first problem so a log line alone is useful.
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, label: string): z.output<S> {
  if (typeof (schema as { safeParse?: unknown } | null)?.safeParse !== 'function') {
    throw invalidArgument('parseWith', 'schema', 'a zod schema', schema);
  }
  expectString('parseWith', 'label', label);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error);
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new ValidationError(`Invalid ${label}: ${summary}${more}`, issues);
}
