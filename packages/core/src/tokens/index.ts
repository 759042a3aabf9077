export { TOKEN_POLICIES, type TokenPolicy } from './policy';
