export { type BlueClerk, type BlueClerkOptions, createBlueClerk } from './create-blueclerk';
