export { type Clock, createManualClock, systemClock } from './clock';
export { randomId, randomReference } from './ids';
export { type Logger, type LogLevel, silentLogger } from './logger';
