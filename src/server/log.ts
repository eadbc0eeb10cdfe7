/**
 * Logging in Redis's line format, so tools and people that read Redis logs read ours:
 *   <pid>:<role> <dd Mon yyyy HH:MM:SS.mmm> <level char> <message>
 * role M master, S replica, C child, X sentinel; level '.' debug, '-' verbose, '*' notice,
 * '#' warning. Logging is never on the request path (only events: connections refused,
 * errors, replication state changes, persistence).
 */

import { appendFileSync } from 'node:fs';

export const LogLevel = { debug: 0, verbose: 1, notice: 2, warning: 3 } as const;
export type LogLevelName = keyof typeof LogLevel;
const LEVEL_CHAR = ['.', '-', '*', '#'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, w: number): string {
  let s = String(n);
  while (s.length < w) s = '0' + s;
  return s;
}

export class Logger {
  level: number = LogLevel.notice;
  /** '' = stdout, otherwise a file path (appended synchronously, like Redis). */
  file = '';
  role: 'M' | 'S' | 'C' | 'X' = 'M';
  /** Embedded servers can silence or capture logs. */
  sink: ((line: string) => void) | null = null;

  setLevel(name: string): void {
    const l = (LogLevel as Record<string, number>)[name];
    if (l !== undefined) this.level = l;
  }

  debug(msg: string): void {
    if (this.level <= 0) this.write(0, msg);
  }
  verbose(msg: string): void {
    if (this.level <= 1) this.write(1, msg);
  }
  notice(msg: string): void {
    if (this.level <= 2) this.write(2, msg);
  }
  warning(msg: string): void {
    this.write(3, msg);
  }

  private write(level: number, msg: string): void {
    const d = new Date();
    const line =
      process.pid +
      ':' +
      this.role +
      ' ' +
      pad(d.getDate(), 2) +
      ' ' +
      MONTHS[d.getMonth()] +
      ' ' +
      d.getFullYear() +
      ' ' +
      pad(d.getHours(), 2) +
      ':' +
      pad(d.getMinutes(), 2) +
      ':' +
      pad(d.getSeconds(), 2) +
      '.' +
      pad(d.getMilliseconds(), 3) +
      ' ' +
      LEVEL_CHAR[level] +
      ' ' +
      msg +
      '\n';
    if (this.sink !== null) {
      this.sink(line);
      return;
    }
    if (this.file === '') {
      process.stdout.write(line);
    } else {
      try {
        appendFileSync(this.file, line);
      } catch {
        // Redis silently drops log lines it cannot write; so do we.
      }
    }
  }
}
