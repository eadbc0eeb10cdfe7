#!/usr/bin/env -S node --max-old-space-size=16384
/**
 * The `damselfly` executable: redis-server's command line.
 *   damselfly [/path/to/redis.conf] [--name value ...]
 */

import { readFileSync } from 'node:fs';
import { Config, ConfigError, formatFatal } from './config/index.js';
import { Server, REDIS_VERSION, DAMSELFLY_VERSION } from './server/server.js';
import { Logger } from './server/log.js';
import { installShutdown } from './server/shutdown.js';

function usage(): void {
  process.stderr.write(
    'Usage: damselfly [/path/to/redis.conf] [options] [-]\n' +
      '       damselfly - (read config from stdin)\n' +
      '       damselfly -v or --version\n' +
      '       damselfly -h or --help\n\n' +
      'Examples:\n' +
      '       damselfly (run the server with default config)\n' +
      '       damselfly /etc/redis/6379.conf\n' +
      '       damselfly --port 7777\n' +
      '       damselfly --port 7777 --replicaof 127.0.0.1 8888\n' +
      '       damselfly /etc/myredis.conf --loglevel verbose -\n' +
      '       damselfly /etc/myredis.conf --loglevel verbose\n',
  );
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write('Damselfly server v=' + DAMSELFLY_VERSION + ' redis_version=' + REDIS_VERSION + ' node=' + process.version + ' bits=64\n');
    return;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    usage();
    return;
  }
  let config: Config;
  try {
    config = Config.fromArgs(argv, (p) => readFileSync(p === '-' ? 0 : p, 'latin1'));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(formatFatal(err));
      process.exit(1);
    }
    throw err;
  }
  const log = new Logger();
  log.setLevel(config.getString('loglevel'));
  log.file = config.getString('logfile');
  log.notice('oO0OoO0OoO0Oo Damselfly is starting oO0OoO0OoO0Oo');
  log.notice('Damselfly version=' + DAMSELFLY_VERSION + ', redis_version=' + REDIS_VERSION + ', bits=64, pid=' + process.pid + ', just started');
  if (config.configFile === null) {
    log.warning('Warning: no config file specified, using the default config. In order to specify a config file use damselfly /path/to/redis.conf');
  } else {
    log.notice('Configuration loaded');
  }
  const server = new Server(config, log);
  installShutdown(server);
  // Like redis-server: listen first, then load the dataset (clients connecting meanwhile get
  // -LOADING and can watch INFO's loading_* fields), then start replication and go.
  try {
    await server.listen();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    log.warning('Warning: Could not create server TCP listening socket *:' + config.getNumber('port') + ': ' + (e.code === 'EADDRINUSE' ? 'bind: Address already in use' : e.message));
    log.warning('Failed listening on port ' + config.getNumber('port') + ' (tcp), aborting.');
    process.exit(1);
  }
  log.notice('Server initialized');
  try {
    await server.startup();
  } catch (err) {
    log.warning((err as Error).message);
    process.exit(1);
  }
  log.notice('Ready to accept connections');
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err) + '\n');
  process.exit(1);
});
