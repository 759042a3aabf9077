import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedactingLogger, type Logger, type LogLevel } from '@blueclerk/core';
import { type App, type CreateAppOptions, createApp } from './app';
import type { AppConfig } from './config';

export interface RunningServer {
  app: App;
  server: Server;
  /** `http://127.0.0.1:<port>` (the real port when `PORT=0`). */
  url: string;
  close(): Promise<void>;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Logs to the console as one JSON line per entry, through core's redaction (tokens and secrets never print). */
export function consoleLogger(minimum: LogLevel = 'info'): Logger {
  return createRedactingLogger({
    log(level, message, fields) {
      if (RANK[level] < RANK[minimum]) return;
      const line = JSON.stringify({ level, message, ...fields });
      if (level === 'error' || level === 'warn') console.error(line);
      else console.log(line);
    },
  });
}

/** Creates the app and listens on `config.port`. */
export async function startServer(config: AppConfig, options: CreateAppOptions = {}): Promise<RunningServer> {
  const app = await createApp(config, options);
  const server = createServer(app.express);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, () => resolve());
    });
  } catch (error) {
    await app.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    app,
    server,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await app.close();
    },
  };
}
