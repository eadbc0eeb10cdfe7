// A tiny RESP client for the benchmark scripts: pipelines with fixed-size replies and one-line
// replies, no dependencies.

import net from 'node:net';

export function encode(args) {
  let head = '*' + args.length + '\r\n';
  const parts = [];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1');
    parts.push(Buffer.from(head + '$' + b.length + '\r\n', 'latin1'), b);
    head = '\r\n';
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** Connection that counts replies of a known fixed size, or reads one line reply. */
export function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(client));
    socket.once('error', reject);
    let buf = Buffer.alloc(0);
    let waiter = null;
    let closed = false;
    socket.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      if (waiter !== null) waiter.check();
    });
    socket.on('close', () => {
      closed = true;
      if (waiter !== null) waiter.fail(new Error('connection closed by the server'));
    });
    const waitFor = (cond) =>
      new Promise((res, rej) => {
        const w = {
          check: () => {
            const v = cond();
            if (v !== null) {
              waiter = null;
              res(v);
            }
          },
          fail: (e) => {
            waiter = null;
            rej(e);
          },
        };
        waiter = w;
        w.check();
        if (waiter === w && closed) w.fail(new Error('connection closed by the server'));
      });
    const client = {
      /** Sends a pipeline and waits for `bytes` bytes of replies, which must all equal `unit`. */
      async pipeline(payload, count, unit) {
        socket.write(payload);
        const need = count * unit.length;
        const got = await waitFor(() => (buf.length >= need ? buf.subarray(0, need) : null));
        buf = buf.subarray(need);
        for (let i = 0; i < got.length; i += unit.length) {
          if (!got.subarray(i, i + unit.length).equals(unit)) throw new Error('unexpected reply ' + JSON.stringify(got.toString('latin1', i, i + 80)));
        }
      },
      /** Sends a pipeline of `count` commands with one-line replies (+, -, :); returns the lines. */
      async pipelineAny(payload, count) {
        socket.write(payload);
        const lines = [];
        await waitFor(() => {
          for (;;) {
            if (lines.length === count) return lines;
            const nl = buf.indexOf('\r\n');
            if (nl < 0) return null;
            lines.push(buf.toString('latin1', 0, nl));
            buf = buf.subarray(nl + 2);
          }
        });
        for (const l of lines) if (l[0] === '-') throw new Error('error reply ' + l);
        return lines;
      },
      /** One command with a one-line reply (+, -, :). */
      async line(...args) {
        socket.write(encode(args));
        return waitFor(() => {
          const nl = buf.indexOf('\r\n');
          if (nl < 0) return null;
          const s = buf.toString('latin1', 0, nl);
          buf = buf.subarray(nl + 2);
          return s;
        });
      },
      /** One command with a bulk-string reply (null for a null bulk); errors throw. */
      async bulk(...args) {
        socket.write(encode(args));
        return waitFor(() => {
          const nl = buf.indexOf('\r\n');
          if (nl < 0) return null;
          if (buf[0] !== 0x24) throw new Error('expected a bulk reply, got ' + JSON.stringify(buf.toString('latin1', 0, nl)));
          const len = Number(buf.toString('latin1', 1, nl));
          if (len < 0) {
            buf = buf.subarray(nl + 2);
            return { v: null };
          }
          if (buf.length < nl + 2 + len + 2) return null;
          const v = buf.toString('latin1', nl + 2, nl + 2 + len);
          buf = buf.subarray(nl + 2 + len + 2);
          return { v };
        }).then((r) => r.v);
      },
      close() {
        socket.destroy();
      },
    };
  });
}

