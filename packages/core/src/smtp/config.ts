import { z } from 'zod';
import { settingString } from '../credentials/index';
import { ConfigurationError } from '../errors/index';

/**
 * SMTP settings for `createSmtpMailer`. Host and credentials pass core's setting rules (no empty, padded or
 * placeholder values such as `your-smtp-password`), so a half-filled `.env` fails at start-up, not on the first alert.
 *
 * @example
 * createSmtpMailer({
 *   host: process.env.SMTP_HOST, port: 587, secure: false,
 *   auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS },
 *   from: 'BlueClerk <alerts@example.com>',
 * });
 */
export interface SmtpMailerConfig {
  host: string;
  port: number;
  /** `true` for implicit TLS (port 465); `false` upgrades with STARTTLS when the server offers it. */
  secure: boolean;
  auth?: { user: string; pass: string };
  /** Sender: `alerts@example.com` or `BlueClerk <alerts@example.com>`. */
  from: string;
  /** Refuse to send unless the connection is upgraded with STARTTLS. Default false. */
  requireTls?: boolean;
  /** Connection, greeting and socket timeout in milliseconds. Default 30 000. */
  timeoutMs?: number;
}

// `Name <addr>` or a bare address; the display name may not contain characters that would break the header.
const FROM = /^(?:[^<>\r\n"]*<([^<>\s]+)>|([^<>\s]+))$/;

const emailSchema = /* @__PURE__ */ (() => z.email())();

function fromAddress(value: string): string | null {
  const match = FROM.exec(value.trim());
  const address = match?.[1] ?? match?.[2];
  return address && emailSchema.safeParse(address).success ? address : null;
}

const smtpConfigSchema = /* @__PURE__ */ (() =>
  z.object({
    host: settingString('smtp.host'),
    port: z.number({ error: 'smtp.port must be a number' }).int().min(1).max(65535),
    secure: z.boolean({ error: 'smtp.secure must be true or false' }),
    auth: z
      .object({ user: settingString('smtp.auth.user'), pass: settingString('smtp.auth.pass') })
      .optional(),
    from: z
      .string({ error: 'smtp.from must be a string' })
      .refine(
        (value) => fromAddress(value) !== null,
        'smtp.from must be an email address or "Name <address>"',
      ),
    requireTls: z.boolean().optional(),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
  }))();

/** Validates SMTP settings. Throws `ConfigurationError` naming the setting, never echoing a value. */
export function parseSmtpMailerConfig(input: unknown): SmtpMailerConfig {
  const parsed = smtpConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = `smtp.${issue?.path.join('.') || 'config'}`;
    const message = issue?.message ?? 'is invalid';
    // zod's own messages ("Too small ...") do not name the setting; ours do. Neither repeats the value.
    throw new ConfigurationError(setting, message.startsWith('smtp.') ? message : `${setting}: ${message}`);
  }
  return parsed.data;
}
