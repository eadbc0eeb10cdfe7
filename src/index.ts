/**
 * Embedding API: start a Damselfly server inside your own process (for test suites).
 *
 *   import { startServer } from 'damselfly';
 *   const srv = await startServer({ port: 0 });      // port 0 = pick a free port
 *   // connect any Redis client to srv.host:srv.port
 *   await srv.close();
 */

import { Config } from './config/index.js';
import { Server, REDIS_VERSION, DAMSELFLY_VERSION } from './server/server.js';
import { Logger } from './server/log.js';

export { Server, REDIS_VERSION, DAMSELFLY_VERSION };

export interface StartOptions {
  /** TCP port; 0 picks a free one. Default 0 for embedded use. */
  port?: number;
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Extra configuration, as redis.conf directives: `{ maxmemory: '100mb' }` or `['save', '']`. */
  config?: Record<string, string | number | boolean>;
  /** Log lines go here instead of stdout; `false` silences them (default for embedded use). */
  log?: ((line: string) => void) | false;
}

export interface RunningServer {
  host: string;
  port: number;
  /** `redis://host:port` */
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const args: string[] = ['--port', String(options.port ?? 0), '--bind', options.host ?? '127.0.0.1', '--save', ''];
  for (const [name, value] of Object.entries(options.config ?? {})) {
    args.push('--' + name);
    const v = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
    args.push(...(v === '' ? [''] : v.split(' ')));
  }
  const config = Config.fromArgs(args);
  const log = new Logger();
  const sink = options.log;
  log.sink = sink === undefined || sink === false ? () => {} : sink;
  const server = new Server(config, log);
  const [addr] = await server.listen();
  const host = addr!.host;
  const port = addr!.port;
  return {
    host,
    port,
    url: 'redis://' + host + ':' + port,
    server,
    close: () => server.close(),
  };
}
