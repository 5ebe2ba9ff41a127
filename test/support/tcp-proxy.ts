import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP forwarder in front of a real service, able to simulate network faults. */
export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /**
   * Starts an outage: destroys every open connection and black-holes new ones (accepted, then
   * never answered), as a dead host or a network partition does. Clients only notice through
   * their own timeouts.
   */
  cut(): void;
  /** Ends the outage: connections held in the black hole are dropped, new ones are forwarded. */
  restore(): void;
  /**
   * Freezes the network: every open connection, and every new one, stops delivering bytes in
   * both directions without being closed (no FIN, no reset), as when packets are silently
   * dropped. Bytes sent meanwhile are held and delivered by {@link thaw}.
   */
  freeze(): void;
  /**
   * Arms a one-shot freeze of a single connection: the first connection whose client sends
   * `pattern` (e.g. `INSERT INTO "tags"`) forwards those bytes, so the server executes them,
   * then freezes as {@link freeze} does (the answer never reaches the client). Other
   * connections keep working. Resolves when it has fired.
   */
  freezeAfter(pattern: string): Promise<void>;
  /** Ends every freeze: held bytes are delivered and forwarding resumes. */
  thaw(): void;
  /** Connections currently open through the proxy and frozen. */
  frozenConnections(): number;
  close(): Promise<void>;
}

/** One client connection and its upstream, forwarded chunk by chunk so it can be frozen. */
interface Link {
  client: Socket;
  upstream: Socket;
  frozen: boolean;
  /** Bytes received while frozen, per direction, delivered on thaw. */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

/** Starts a proxy on 127.0.0.1:0 forwarding to `targetHost:targetPort`. */
export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const blackHoled = new Set<Socket>();
  const links = new Set<Link>();
  let outage = false;
  let frozen = false;
  let trigger: { pattern: Buffer; fired: () => void } | undefined;

  const track = (socket: Socket, into: Set<Socket>) => {
    into.add(socket);
    socket.on('close', () => into.delete(socket));
    // A destroyed peer must not crash the test process.
    socket.on('error', () => undefined);
  };

  const deliver = (link: Link) => {
    link.frozen = false;
    for (const chunk of link.toUpstream.splice(0)) link.upstream.write(chunk);
    for (const chunk of link.toClient.splice(0)) link.client.write(chunk);
  };

  const server: Server = createServer((client) => {
    if (outage) {
      track(client, blackHoled);
      return;
    }
    const upstream = createConnection({ host: targetHost, port: targetPort });
    track(client, open);
    track(upstream, open);
    const link: Link = { client, upstream, frozen, toUpstream: [], toClient: [] };
    links.add(link);
    // The tail of the previous chunk, so a pattern split across two chunks is still seen.
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (link.frozen) {
        link.toUpstream.push(chunk);
        return;
      }
      upstream.write(chunk);
      if (!trigger) return;
      const { pattern, fired } = trigger;
      const seen = Buffer.concat([tail, chunk]);
      if (seen.includes(pattern)) {
        link.frozen = true;
        trigger = undefined;
        tail = Buffer.alloc(0);
        fired();
      } else {
        tail = seen.subarray(Math.max(0, seen.length - pattern.length + 1));
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (link.frozen) link.toClient.push(chunk);
      else client.write(chunk);
    });
    client.on('close', () => {
      links.delete(link);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  const destroyAll = (sockets: Set<Socket>) => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  return {
    port: (server.address() as { port: number }).port,
    cut: () => {
      outage = true;
      destroyAll(open);
    },
    restore: () => {
      outage = false;
      destroyAll(blackHoled);
    },
    freeze: () => {
      frozen = true;
      for (const link of links) link.frozen = true;
    },
    freezeAfter: (pattern) =>
      new Promise<void>((resolve) => {
        trigger = { pattern: Buffer.from(pattern), fired: resolve };
      }),
    thaw: () => {
      frozen = false;
      trigger = undefined;
      for (const link of links) deliver(link);
    },
    frozenConnections: () => [...links].filter((link) => link.frozen).length,
    close: async () => {
      trigger = undefined;
      destroyAll(open);
      destroyAll(blackHoled);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
