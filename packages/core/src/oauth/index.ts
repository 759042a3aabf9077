export type { ClientCredentials, OAuthEndpoints, ProviderOAuthConfig } from './types';
