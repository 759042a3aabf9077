import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on a random local port for tests (the `smtp-server` devDependency). Not exported from the package:
 * tests of `smtp/` and `assignments/` import it directly.
 */
export interface CapturedMail {
  from: string | null;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** The raw RFC 5322 message. */
  raw: string;
  /** Header value, unfolded. */
  header(name: string): string | undefined;
  /** The message body after the headers. */
  body: string;
  user: string | null;
}

export interface TestSmtpServer {
  port: number;
  messages: CapturedMail[];
  close(): Promise<void>;
}

export interface TestSmtpServerOptions {
  /** Require this login. Without it, the server accepts anonymous senders. */
  auth?: { user: string; pass: string };
  /** Refuse these recipients with `550 5.1.1`. */
  rejectRecipients?: string[];
  /** Refuse every message after DATA with this reply (e.g. `{ code: 554, message: 'Spam detected' }`). */
  rejectData?: { code: number; message: string };
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function parse(
  raw: string,
  envelope: { from: string | null; to: string[]; user: string | null },
): CapturedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { ...envelope, raw, body, header: (name) => headers.get(name.toLowerCase()) };
}

export async function startTestSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: CapturedMail[] = [];
  const rejected = new Set((options.rejectRecipients ?? []).map((address) => address.toLowerCase()));
  const server = new SMTPServer({
    logger: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const ok = options.auth && auth.username === options.auth.user && auth.password === options.auth.pass;
      if (!ok) return callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address.toLowerCase())) {
        return callback(smtpError(550, `5.1.1 <${address.address}>: Recipient address rejected`));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.rejectData)
          return callback(smtpError(options.rejectData.code, options.rejectData.message));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        const user = typeof session.user === 'string' ? session.user : null;
        messages.push(parse(Buffer.concat(chunks).toString('utf8'), { from, to, user }));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo)
    .port;
  return {
    port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
