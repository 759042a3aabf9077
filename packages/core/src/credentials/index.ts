export {
  type ClientCredentialsOptions,
  clientCredentialSettingNames,
  clientCredentialsFromEnv,
  parseClientCredentials,
  type SettingsEnv,
} from './client-credentials';
export {
  assertSetting,
  checkSettingValue,
  PLACEHOLDER_PATTERNS,
  PLACEHOLDER_VALUES,
  type SettingCheck,
  type SettingProblem,
  settingString,
} from './setting-rules';
export { assertUsableTokenSet } from './token-set';
