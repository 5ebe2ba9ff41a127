// A TCP forwarder in front of PostgreSQL that reads the client side of the wire protocol and
// records every statement with its parameters, whatever the client library or its logger
// does (the app's query logger deliberately omits parameters). Used only by the SQL checks,
// on an app instance that is not being measured.
import { connect, createServer } from 'node:net';

/** Starts a tap on 127.0.0.1:0 forwarding to `target` (a postgres:// URL's host and port). */
export async function startPgWireTap(target) {
  const statements = [];
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => client.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
    const reader = frontendReader((statement) => statements.push(statement));
    client.on('data', reader);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    statements,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Parses frontend messages: the untyped startup packet(s), then typed messages. A simple
 * Query ('Q') is a statement; in the extended protocol a Parse ('P') gives the text of the
 * unnamed statement and each Bind ('B') runs it with text-format parameters.
 */
function frontendReader(onStatement) {
  let buffer = Buffer.alloc(0);
  let started = false;
  let lastParsed = '';
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(length);
        // SSLRequest / GSSENCRequest are followed by the real startup packet.
        if (code !== 80877103 && code !== 80877104) started = true;
        continue;
      }
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      const type = String.fromCharCode(buffer[0]);
      const body = buffer.subarray(5, 1 + length);
      buffer = buffer.subarray(1 + length);
      if (type === 'Q') onStatement({ sql: cString(body, 0).text, parameters: [] });
      else if (type === 'P') {
        const name = cString(body, 0);
        lastParsed = cString(body, name.next).text;
      } else if (type === 'B') onStatement({ sql: lastParsed, parameters: bindParameters(body) });
    }
  };
}

function cString(body, offset) {
  const end = body.indexOf(0, offset);
  return { text: body.toString('utf8', offset, end), next: end + 1 };
}

function bindParameters(body) {
  let offset = cString(body, cString(body, 0).next).next; // portal, statement
  const formats = body.readInt16BE(offset);
  offset += 2 + 2 * formats;
  const count = body.readInt16BE(offset);
  offset += 2;
  const values = [];
  for (let i = 0; i < count; i++) {
    const size = body.readInt32BE(offset);
    offset += 4;
    values.push(size < 0 ? null : body.toString('utf8', offset, offset + size));
    offset += Math.max(size, 0);
  }
  return values;
}
