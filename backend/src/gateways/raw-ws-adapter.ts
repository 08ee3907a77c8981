import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';

/**
 * Nest's `ws` adapter without message routing for gateways that declare no
 * `@SubscribeMessage` handler (ours: they read raw frames with `socket.on('message')`).
 *
 * `WsAdapter.bindMessageHandlers` subscribes every client to `fromEvent(client, 'message')`
 * → `mergeMap` → `filter` whatever the handlers are, so each message, every fragment of every
 * Sentinel and every text message of every Proctor, built an inner observable, its operator
 * subscribers and closures only to be dropped (the adapter's `messageParser` returns nothing).
 * Issue 10 measured it with V8's sampling heap profiler at 400 held Sentinels: about 11 % of
 * the server's allocations, garbage the collector then had to scavenge on the event loop's core.
 *
 * A gateway that does declare handlers keeps Nest's routing unchanged. The constructor is
 * `WsAdapter`'s (pass `{ messageParser }` as there).
 */
export class RawWsAdapter extends WsAdapter {
  /**
   * Binds Nest's message routing only when the gateway has handlers.
   * @param client the `ws` socket of one connection
   * @param handlers the gateway's `@SubscribeMessage` handlers (none for ours)
   * @param transform Nest's result transform
   */
  override bindMessageHandlers(client: unknown, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    if (handlers.length === 0) return;
    super.bindMessageHandlers(client, handlers, transform);
  }
}
