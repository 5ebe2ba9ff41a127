import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP forwarder in front of a real service, able to simulate a network outage. */
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
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1:0 forwarding to `targetHost:targetPort`. */
export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const blackHoled = new Set<Socket>();
  let outage = false;

  const track = (socket: Socket, into: Set<Socket>) => {
    into.add(socket);
    socket.on('close', () => into.delete(socket));
    // A destroyed peer must not crash the test process.
    socket.on('error', () => undefined);
  };

  const server: Server = createServer((client) => {
    if (outage) {
      track(client, blackHoled);
      return;
    }
    const upstream = createConnection({ host: targetHost, port: targetPort });
    track(client, open);
    track(upstream, open);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
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
    close: async () => {
      destroyAll(open);
      destroyAll(blackHoled);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
