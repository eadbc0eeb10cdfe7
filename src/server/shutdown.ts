/**
 * SHUTDOWN and signal handling, one path for both (as Redis does): optionally save, close the
 * listeners, flush what clients are owed, then exit (or, for an embedded server, just stop).
 */

import type { Server } from './server.js';

export interface ShutdownOptions {
  /** true = SAVE, false = NOSAVE, null = save only if save points are configured. */
  save: boolean | null;
  force: boolean;
  /** SHUTDOWN NOW: do not wait for lagging replicas (nothing waits for them yet). */
  now?: boolean;
}

/** Shutdowns that have started but not finished (saving), for SHUTDOWN ABORT. */
const pending = new WeakMap<Server, { aborted: boolean }>();

/** True while a shutdown is under way (the final save is running). */
export function shutdownInProgress(server: Server): boolean {
  return pending.has(server);
}

/** SHUTDOWN ABORT: cancels a shutdown that has not closed the server yet. False if none. */
export function abortShutdown(server: Server): boolean {
  const p = pending.get(server);
  if (p === undefined) return false;
  p.aborted = true;
  server.log.warning('Shutdown manually aborted.');
  return true;
}

/** Returns an error text when the shutdown was refused, otherwise never resolves in a process. */
export async function shutdown(server: Server, opts: ShutdownOptions): Promise<string | null> {
  if (server.shuttingDown || pending.has(server)) return null;
  const state = { aborted: false };
  pending.set(server, state);
  try {
    const err = await runShutdown(server, opts, state);
    return err;
  } finally {
    pending.delete(server);
  }
}

async function runShutdown(server: Server, opts: ShutdownOptions, state: { aborted: boolean }): Promise<string | null> {
  const log = server.log;
  log.warning('User requested shutdown...');
  // Never save while loading: the dataset in memory is incomplete (Redis does the same).
  const wantSave = server.loading ? false : opts.save === null ? hasSavePoints(server) : opts.save;
  if (wantSave) {
    if (server.saveHook === null) {
      if (opts.save === true && !opts.force) {
        log.warning('Error trying to save the DB: persistence is not available in this build.');
        return refused(server);
      }
    } else {
      log.notice('Saving the final RDB snapshot before exiting.');
      try {
        // The hook logs "DB saved on disk" itself, or why it could not save.
        await server.saveHook();
      } catch {
        if (!opts.force) {
          log.warning("Error trying to save the DB, can't exit.");
          return refused(server);
        }
        log.warning('Error trying to save the DB. Exit anyway.');
      }
    }
  }
  if (state.aborted) return 'ERR Errors trying to SHUTDOWN. Check logs.';
  await server.close();
  log.warning((server.exitProcess ? 'Damselfly' : 'Damselfly (embedded)') + ' is now ready to exit, bye bye...');
  if (server.exitProcess) process.exit(0);
  return null;
}

function refused(server: Server): string {
  server.log.warning('Errors trying to shut down the server. Check the logs for more information.');
  return 'ERR Errors trying to SHUTDOWN. Check logs.';
}

function hasSavePoints(server: Server): boolean {
  const s = server.config.get('save');
  return Array.isArray(s) ? s.length > 0 : typeof s === 'string' && s.trim() !== '';
}

/** SIGTERM/SIGINT schedule a shutdown; a second SIGINT while saving exits at once. */
export function installShutdown(server: Server): void {
  server.exitProcess = true;
  let requested = false;
  const handler = (sig: string) => {
    if (requested && sig === 'SIGINT') {
      server.log.warning('You insist... exiting now.');
      process.exit(1);
    }
    requested = true;
    server.log.warning('Received ' + sig + ' scheduling shutdown...');
    void shutdown(server, { save: null, force: false }).then((err) => {
      if (err !== null) {
        requested = false;
        server.log.warning('SIGTERM received but errors trying to shut down the server, check the logs for more information');
      }
    });
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}
