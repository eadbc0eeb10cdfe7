/**
 * A raw RESP connection for byte-exact tests: send bytes, read replies as raw bytes.
 */

import net from 'node:net';

export class RawConnection {
  private socket: net.Socket;
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(data: Buffer | string): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Encodes argv as a RESP multibulk and sends it. */
  send(...args: Array<string | Buffer>): void {
    this.write(encodeCommand(args));
  }

  /** Waits for one complete RESP reply and returns its raw bytes. */
  async readReply(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const end = replyEnd(this.buf, 0);
      if (end > 0) {
        const r = this.buf.subarray(0, end);
        this.buf = this.buf.subarray(end);
        return Buffer.from(r);
      }
      if (this.closed) throw new Error('connection closed; buffered: ' + JSON.stringify(this.buf.toString('latin1')));
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for reply; buffered: ' + JSON.stringify(this.buf.toString('latin1')));
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Sends a command and returns its reply as a latin1 string. */
  async call(...args: Array<string | Buffer>): Promise<string> {
    this.send(...args);
    return (await this.readReply()).toString('latin1');
  }

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Bytes received but not consumed by readReply. */
  pending(): Buffer {
    return this.buf;
  }

  close(): void {
    this.socket.destroy();
  }
}

export function encodeCommand(args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from('*' + args.length + '\r\n')];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from('$' + b.length + '\r\n'), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Returns the end offset of the complete RESP value at `pos`, or -1 if incomplete. */
export function replyEnd(b: Buffer, pos: number): number {
  if (pos >= b.length) return -1;
  const t = b[pos]!;
  const nl = b.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const line = b.toString('latin1', pos + 1, nl);
  switch (t) {
    case 0x2b: // +
    case 0x2d: // -
    case 0x3a: // :
    case 0x5f: // _
    case 0x2c: // ,
    case 0x23: // #
    case 0x28: // (
      return nl + 2;
    case 0x24: // $
    case 0x3d: // =
    case 0x21: {
      // !
      const n = parseInt(line, 10);
      if (n < 0) return nl + 2;
      const end = nl + 2 + n + 2;
      return end <= b.length ? end : -1;
    }
    case 0x2a: // *
    case 0x7e: // ~
    case 0x3e: // >
    case 0x25: {
      // %
      let n = parseInt(line, 10);
      if (n < 0) return nl + 2;
      if (t === 0x25) n *= 2;
      let p = nl + 2;
      for (let i = 0; i < n; i++) {
        p = replyEnd(b, p);
        if (p < 0) return -1;
      }
      return p;
    }
    default:
      return -1;
  }
}
