export {
  type BlueClerk,
  type BlueClerkOptions,
  type ConnectionSettingsApi,
  createBlueClerk,
} from './create-blueclerk';
