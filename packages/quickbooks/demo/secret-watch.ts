import type { SetupServer } from 'msw/node';

/**
 * Collects every secret the simulated Intuit hands out during a run - authorization codes (in the authorize
 * redirect) and access / refresh tokens (in token responses) - by listening to msw's mocked responses. The demo adds
 * its own secrets (client secret, encryption key, webhook verifier) and, at the end, proves none of them appears in
 * what it printed.
 */
export interface SecretWatch {
  /** Adds a secret the run holds itself. */
  add(secret: string): void;
  /** Every secret seen so far (after pending response bodies were read). */
  secrets(): Promise<string[]>;
  /** Access tokens issued, in order (the test checks refresh counts with them). */
  accessTokens(): Promise<string[]>;
  /** Secrets that occur in `text`, shown by kind only. */
  leaksIn(text: string): Promise<string[]>;
  stop(): void;
}

const TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';
const AUTHORIZE_URL = 'https://appcenter.intuit.com/connect/oauth2';

export function watchSimulatorSecrets(server: SetupServer): SecretWatch {
  const known = new Map<string, string>();
  const access: string[] = [];
  const pending: Array<Promise<void>> = [];

  const remember = (kind: string, value: unknown) => {
    if (typeof value === 'string' && value.length >= 8) known.set(value, kind);
  };

  const listener = ({ request, response }: { request: Request; response: Response }) => {
    if (request.url.startsWith(AUTHORIZE_URL)) {
      const location = response.headers.get('location');
      if (location) remember('authorization code', new URL(location).searchParams.get('code'));
      return;
    }
    if (!request.url.startsWith(TOKEN_URL)) return;
    pending.push(
      response
        .clone()
        .json()
        .then((body: { access_token?: unknown; refresh_token?: unknown }) => {
          remember('access token', body.access_token);
          remember('refresh token', body.refresh_token);
          if (typeof body.access_token === 'string') access.push(body.access_token);
        })
        .catch(() => {}),
    );
  };
  server.events.on('response:mocked', listener);

  const settle = async () => {
    await Promise.all(pending);
  };

  return {
    add(secret) {
      remember('app secret', secret);
    },
    async secrets() {
      await settle();
      return [...known.keys()];
    },
    async accessTokens() {
      await settle();
      return [...access];
    },
    async leaksIn(text) {
      await settle();
      const leaks: string[] = [];
      for (const [secret, kind] of known) if (text.includes(secret)) leaks.push(kind);
      // A Bearer header would mean a request was printed; the SDK never does that, nor may the demo.
      if (/Bearer\s+\S/i.test(text)) leaks.push('Bearer header');
      return leaks;
    },
    stop() {
      server.events.removeListener('response:mocked', listener);
    },
  };
}
