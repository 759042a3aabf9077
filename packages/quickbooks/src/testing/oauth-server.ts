/**
 * Intuit's OAuth 2.0 server as the simulator plays it: confidential clients (HTTP Basic or body credentials),
 * single-use authorization codes, 1 h access tokens, rotating refresh tokens. After a rotation the previous refresh
 * token keeps working for a grace period (Intuit: 24 h); in strict mode any reuse is `400 {"error":"invalid_grant"}`,
 * which is what a token manager that loses a refresh response must survive.
 */

export interface SimClient {
  clientId: string;
  clientSecret: string;
  /** When set, authorization requests and code exchanges must use one of these. */
  redirectUris?: string[];
}

export interface OAuthServerOptions {
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  authorizationCodeTtlSec: number;
  refreshTokenGraceSec: number;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  realmId: string;
  expiresAt: number;
  used: boolean;
}
interface Family {
  id: string;
  clientId: string;
  realmId: string;
  revoked: boolean;
  currentRefreshToken: string;
}
interface RefreshRecord {
  familyId: string;
  expiresAt: number;
  supersededAt: number | null;
}
interface AccessRecord {
  familyId: string;
  realmId: string;
  expiresAt: number;
}

export interface TokenResponse {
  token_type: 'bearer';
  access_token: string;
  expires_in: number;
  refresh_token: string;
  x_refresh_token_expires_in: number;
}

export type TokenOutcome =
  | { ok: true; body: TokenResponse }
  | { ok: false; status: number; body: { error: string; error_description?: string } };

export type BearerCheck =
  | { ok: true; realmId: string }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

function randomToken(prefix: string, bytes = 24): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  let out = prefix;
  for (const b of buf) out += b.toString(16).padStart(2, '0');
  return out;
}

export class SimOAuthServer {
  readonly clients = new Map<string, SimClient>();
  #codes = new Map<string, CodeGrant>();
  #families = new Map<string, Family>();
  #refresh = new Map<string, RefreshRecord>();
  #access = new Map<string, AccessRecord>();
  #options: OAuthServerOptions;

  constructor(clients: SimClient[], options: OAuthServerOptions) {
    for (const client of clients) this.clients.set(client.clientId, client);
    this.#options = options;
  }

  setRefreshTokenGrace(seconds: number): void {
    this.#options = { ...this.#options, refreshTokenGraceSec: seconds };
  }

  authenticateClient(clientId: string | null, clientSecret: string | null): SimClient | null {
    if (!clientId || !clientSecret) return null;
    const client = this.clients.get(clientId);
    return client && client.clientSecret === clientSecret ? client : null;
  }

  createCode(client: SimClient, redirectUri: string, realmId: string, now: number): string {
    const code = randomToken('AB', 16);
    this.#codes.set(code, {
      clientId: client.clientId,
      redirectUri,
      realmId,
      expiresAt: now + this.#options.authorizationCodeTtlSec * 1000,
      used: false,
    });
    return code;
  }

  exchangeCode(
    client: SimClient,
    code: string | null,
    redirectUri: string | null,
    now: number,
  ): TokenOutcome {
    const grant = code ? this.#codes.get(code) : undefined;
    if (!grant || grant.used || grant.expiresAt <= now || grant.clientId !== client.clientId) {
      return invalidGrant();
    }
    if (grant.redirectUri !== redirectUri)
      return invalidGrant('redirect_uri does not match the authorization request');
    grant.used = true;
    return { ok: true, body: this.issue(client.clientId, grant.realmId, now) };
  }

  refresh(client: SimClient, refreshToken: string | null, now: number): TokenOutcome {
    const record = refreshToken ? this.#refresh.get(refreshToken) : undefined;
    const family = record ? this.#families.get(record.familyId) : undefined;
    if (
      !record ||
      !family ||
      family.revoked ||
      family.clientId !== client.clientId ||
      record.expiresAt <= now
    ) {
      return invalidGrant();
    }
    if (
      record.supersededAt !== null &&
      now >= record.supersededAt + this.#options.refreshTokenGraceSec * 1000
    ) {
      return invalidGrant();
    }
    return { ok: true, body: this.#rotate(family, now) };
  }

  /** Issues a fresh token pair for a realm (tests use this to skip the browser step). */
  issue(clientId: string, realmId: string, now: number): TokenResponse {
    const family: Family = {
      id: randomToken('f', 8),
      clientId,
      realmId,
      revoked: false,
      currentRefreshToken: '',
    };
    this.#families.set(family.id, family);
    return this.#rotate(family, now);
  }

  #rotate(family: Family, now: number): TokenResponse {
    const previous = this.#refresh.get(family.currentRefreshToken);
    if (previous && previous.supersededAt === null) previous.supersededAt = now;
    const refreshToken = randomToken('RT1-', 24);
    const accessToken = randomToken('eyJ', 48);
    this.#refresh.set(refreshToken, {
      familyId: family.id,
      expiresAt: now + this.#options.refreshTokenTtlSec * 1000,
      supersededAt: null,
    });
    family.currentRefreshToken = refreshToken;
    this.#access.set(accessToken, {
      familyId: family.id,
      realmId: family.realmId,
      expiresAt: now + this.#options.accessTokenTtlSec * 1000,
    });
    return {
      token_type: 'bearer',
      access_token: accessToken,
      expires_in: this.#options.accessTokenTtlSec,
      refresh_token: refreshToken,
      x_refresh_token_expires_in: this.#options.refreshTokenTtlSec,
    };
  }

  /** Revokes the whole grant a token belongs to (access or refresh token). Unknown tokens are ignored (RFC 7009). */
  revoke(token: string): boolean {
    const familyId = this.#refresh.get(token)?.familyId ?? this.#access.get(token)?.familyId;
    const family = familyId ? this.#families.get(familyId) : undefined;
    if (!family) return false;
    family.revoked = true;
    return true;
  }

  checkBearer(header: string | null, now: number): BearerCheck {
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) return { ok: false, reason: 'missing' };
    const record = this.#access.get(match[1] as string);
    if (!record) return { ok: false, reason: 'unknown' };
    if (this.#families.get(record.familyId)?.revoked) return { ok: false, reason: 'revoked' };
    if (record.expiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, realmId: record.realmId };
  }

  /** Makes every access token expired now (the next API call answers 401). */
  expireAccessTokens(): void {
    for (const record of this.#access.values()) record.expiresAt = 0;
  }

  /** Whether a refresh token would currently be accepted. */
  isRefreshTokenLive(token: string, now: number): boolean {
    const record = this.#refresh.get(token);
    const family = record ? this.#families.get(record.familyId) : undefined;
    if (!record || !family || family.revoked || record.expiresAt <= now) return false;
    return (
      record.supersededAt === null || now < record.supersededAt + this.#options.refreshTokenGraceSec * 1000
    );
  }
}

function invalidGrant(description?: string): TokenOutcome {
  return {
    ok: false,
    status: 400,
    body: description
      ? { error: 'invalid_grant', error_description: description }
      : { error: 'invalid_grant' },
  };
}
