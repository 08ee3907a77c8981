import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, standing in for the network between the Sentinel and the
 * server. `cut()` is an outage: every proxied connection is reset at once and new ones are
 * refused (accepted and reset) until `restore()`. Used instead of CDP
 * `Network.emulateNetworkConditions({offline: true})` because the outage must also survive a
 * page reload while the page itself still loads (only the Sentinel's WebSocket goes through
 * the proxy; see the test's comment).
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Socket>();
  private isCut = false;
  /** Connections refused during outages. */
  refused = 0;
  /** Connections forwarded. */
  forwarded = 0;

  private constructor(readonly targetPort: number) {}

  /** Starts a proxy on a free 127.0.0.1 port forwarding to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    proxy.server = createServer((client) => proxy.accept(client));
    await new Promise<void>((resolve, reject) => {
      proxy.server!.once('error', reject);
      proxy.server!.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** The proxy's port. */
  get port(): number {
    return (this.server!.address() as { port: number }).port;
  }

  /** True during an outage. */
  get cutNow(): boolean {
    return this.isCut;
  }

  /** Starts an outage: resets every open connection; new ones are reset on arrival. */
  cut(): void {
    this.isCut = true;
    for (const socket of this.pairs) socket.resetAndDestroy();
    this.pairs.clear();
  }

  /** Ends the outage. */
  restore(): void {
    this.isCut = false;
  }

  /** Closes the proxy and every connection. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private accept(client: Socket): void {
    if (this.isCut) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    this.forwarded++;
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.pairs.add(client);
    this.pairs.add(upstream);
    const drop = () => {
      this.pairs.delete(client);
      this.pairs.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
