/**
 * A minimal request/response RESP2 client for the few administrative round trips replication
 * makes to another node (REPLTAKEOVER). Not used on any request→reply hot path.
 */

import * as net from 'node:net';
import { encodeCommand } from './stream.js';

export type RespValue = string | number | null | Error | RespValue[];

export class AdminLink {
  private readonly socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiters: Array<{ resolve: (v: RespValue) => void; reject: (e: Error) => void }> = [];
  private failure: Error | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.drain();
    });
    const fail = (err: Error): void => {
      if (this.failure !== null) return;
      this.failure = err;
      for (const w of this.waiters.splice(0)) w.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(host: string, port: number, timeoutMs: number): Promise<AdminLink> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port });
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error('connect timeout'));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(new AdminLink(s));
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  /** Sends a command; resolves with the reply (an error reply resolves as an Error value). */
  call(...argv: string[]): Promise<RespValue> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.socket.write(encodeCommand(argv.map((a) => Buffer.from(a, 'latin1'))));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const r = parseReply(this.buf, 0);
      if (r === null) return;
      this.buf = this.buf.subarray(r.end);
      this.waiters.shift()!.resolve(r.value);
    }
  }
}

function parseReply(b: Buffer, pos: number): { value: RespValue; end: number } | null {
  const nl = b.indexOf('\r\n', pos, 'latin1');
  if (nl < 0) return null;
  const line = b.toString('latin1', pos + 1, nl);
  const type = b[pos];
  const next = nl + 2;
  switch (type) {
    case 0x2b: // +
      return { value: line, end: next };
    case 0x2d: // -
      return { value: new Error(line), end: next };
    case 0x3a: // :
      return { value: Number(line), end: next };
    case 0x24: { // $
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      if (b.length < next + n + 2) return null;
      return { value: b.toString('latin1', next, next + n), end: next + n + 2 };
    }
    case 0x2a: { // *
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      const out: RespValue[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(b, p);
        if (r === null) return null;
        out.push(r.value);
        p = r.end;
      }
      return { value: out, end: p };
    }
    default:
      throw new Error('unexpected reply byte ' + String(type));
  }
}
