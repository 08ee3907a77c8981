import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { Subscription } from 'rxjs';
import { MAX_TEXT_MESSAGE_BYTES, PROCTOR_WS_PATH, closeCodeForError, closeReason, encodeControl, type ErrorCode } from '@vigil/protocol';
import { ProctorSession, type ProctorAccess } from '../relay/proctor-session';
import { RelayService } from '../relay-nest/relay.service';
import { AuthService } from '../auth/auth.service';
import { ExamAccessService, type ExamScope } from '../auth/exam-access.service';
import { isAllowedOrigin } from '../auth/origin';
import type { Principal } from '../auth/principal';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { rawDataToBytes, wsClose, wsSend, wsSendReplay } from './ws-link';
import { FrameCache } from './ws-frame';
import { startHeartbeat } from './connection-guard';
import { ConnectionLimits, ConnectionPlace } from './connection-limits';

/** How often open proctor connections re-check their session and exams, ms. */
export const PROCTOR_RECHECK_INTERVAL_MS = 30_000;

/** Messages a client may send before authentication finished; more close the socket. */
const MAX_PENDING_MESSAGES = 32;

/** The exams one connection may watch; refreshed by re-checks (canWatch stays synchronous). */
class LiveAccess implements ProctorAccess {
  constructor(public scope: ExamScope) {}
  canWatch(examId: string): boolean {
    return this.scope.all || this.scope.examIds.has(examId);
  }
}

interface Connection {
  principal: Principal;
  access: LiveAccess;
  fail(code: ErrorCode, message: string): void;
}

/**
 * Thin adapter: one {@link ProctorSession} per Proctor WebSocket at `/ws/proctor`.
 * The upgrade request authenticates it: the session cookie (with an `Origin` of this
 * server, RFC 6455 §10.2) or an admin API key (`Authorization: Bearer`). Without one the
 * socket gets `error auth-required` (fatal) and close 1008; a foreign Origin gets
 * `not-allowed`. The session only sees the caller's exams; connections re-check every
 * 30 s and at once when a user's access shrinks.
 *
 * Connection hygiene (issue 8 finding 6): a connection takes a place under
 * `VIGIL_MAX_PROCTOR_CONNECTIONS` as it opens (`server-busy`, close 1013) and one under
 * `VIGIL_MAX_PROCTOR_CONNECTIONS_PER_USER` once authenticated (`not-allowed`, 1008: close
 * other portal tabs); WebSocket Pings find half-open connections within
 * `VIGIL_PONG_TIMEOUT_MS` + `VIGIL_PING_INTERVAL_MS`; a slow socket is handled by its
 * {@link ProctorSession} (lists held back, viewers skip, closed when stalled).
 */
@WebSocketGateway({ path: PROCTOR_WS_PATH, maxPayload: MAX_TEXT_MESSAGE_BYTES })
export class ProctorGateway implements OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger('ProctorGateway');
  private readonly connections = new Set<Connection>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly accessChanges: Subscription;
  private readonly limits: ConnectionLimits<'user'>;
  /** Every open proctor socket (for {@link bufferedAmounts}). */
  private readonly sockets = new Set<WebSocket>();
  /** Live fragments and init segments are framed once for all the viewers of a stream. */
  readonly frames = new FrameCache();

  constructor(
    private readonly relay: RelayService,
    private readonly auth: AuthService,
    private readonly examAccess: ExamAccessService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {
    this.limits = new ConnectionLimits<'user'>(config.maxProctorConnections, { user: config.maxProctorConnectionsPerUser });
    this.timer = setInterval(() => void this.recheckAll(() => true), PROCTOR_RECHECK_INTERVAL_MS);
    this.timer.unref?.();
    this.accessChanges = this.examAccess.changed$.subscribe((userId) => void this.recheckAll((c) => c.principal.userId === userId));
  }

  /** Open proctor connections (for health and tests). */
  get openConnections(): number {
    return this.limits.openCount;
  }

  /** Bytes unsent in each open proctor socket (for health and tests). */
  bufferedAmounts(): number[] {
    return [...this.sockets].map((s) => s.bufferedAmount);
  }

  handleConnection(socket: WebSocket, request?: IncomingMessage): void {
    const opened = this.limits.open();
    if (!ConnectionPlace.is(opened)) {
      this.logger.warn(`proctor connection refused: ${opened.limit} open already`);
      wsSend(socket, encodeControl({ type: 'error', code: 'server-busy', message: `this server holds its limit of ${opened.limit} proctor connections: reconnect later`, fatal: true }));
      wsClose(socket, closeCodeForError('server-busy'), closeReason('server-busy'));
      return;
    }
    const place = opened;
    this.sockets.add(socket);
    let session: ProctorSession | null = null;
    let closed = false;
    let connection: Connection | null = null;
    const pending: { data: RawData; isBinary: boolean }[] = [];
    const dispatch = (s: ProctorSession, data: RawData, isBinary: boolean) => {
      if (isBinary) s.handleBinary();
      else s.handleText(rawDataToBytes(data).toString());
    };
    const fail = (code: ErrorCode, message: string) => {
      wsSend(socket, encodeControl({ type: 'error', code, message, fatal: true }));
      wsClose(socket, closeCodeForError(code), closeReason(code));
    };
    socket.on('message', (data, isBinary) => {
      if (session) dispatch(session, data, isBinary);
      else if (pending.length < MAX_PENDING_MESSAGES) pending.push({ data, isBinary });
      else fail('bad-message', 'wait for the streams list before sending more');
    });
    const onClose = () => {
      if (closed) return;
      closed = true;
      this.sockets.delete(socket);
      session?.handleClose();
      if (connection) this.connections.delete(connection);
      place.release();
    };
    socket.on('close', onClose);
    socket.on('error', onClose);
    startHeartbeat(socket, { intervalMs: this.config.pingIntervalMs, timeoutMs: this.config.pongTimeoutMs }, (silentMs) =>
      this.logger.warn(`proctor connection${connection ? ` of ${connection.principal.email}` : ''} silent for ${silentMs} ms (no Pong): closed as half-open`),
    );

    void this.authenticate(request)
      .then(async (result) => {
        if (closed) return;
        if ('refusal' in result) {
          this.logger.warn(`proctor connection refused: ${result.refusal.code}: ${result.refusal.message}`);
          fail(result.refusal.code, result.refusal.message);
          return;
        }
        const full = place.claim([['user', result.principal.userId]]);
        if (full !== null) {
          this.logger.warn(`proctor connection refused (user cap ${full.limit}): ${result.principal.email}`);
          fail('not-allowed', `you have ${full.limit} proctor connections open (the limit): close other portal tabs`);
          return;
        }
        const access = new LiveAccess(await this.examAccess.scope(result.principal));
        if (closed) return;
        connection = { principal: result.principal, access, fail };
        this.connections.add(connection);
        const current = new ProctorSession(
          {
            sendText: (text) => wsSend(socket, text),
            sendBinary: (data) => this.frames.send(socket, data),
            sendReplay: (unit) => wsSendReplay(socket, unit.message),
            bufferedAmount: () => socket.bufferedAmount,
            close: (code, reason) => wsClose(socket, code, reason),
          },
          this.relay.registry,
          this.relay.config.viewerMaxBufferedBytes,
          Date.now,
          access,
          {
            fault: (why) => this.logger.error(`proctor connection of ${result.principal.email} closed (internal): ${why}`),
            listTruncated: (shown, total) =>
              this.logger.warn(`stream list of ${result.principal.email} cut to ${shown} of ${total} streams (live and newest first)`),
            badSummaries: (ids, why) => this.logger.error(`streams ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ' …' : ''} left out of a stream list: ${why}`),
            tooSlow: (bytes, forMs) =>
              this.logger.warn(`proctor connection of ${result.principal.email} closed as too slow: ${bytes} bytes unsent for ${forMs} ms`),
          },
          { watcher: { userId: result.principal.userId, email: result.principal.email, via: result.principal.via } },
        );
        session = current;
        for (const m of pending.splice(0)) dispatch(current, m.data, m.isBinary);
      })
      .catch((e: unknown) => {
        this.logger.error(`proctor authentication failed: ${e instanceof Error ? e.message : e}`);
        if (!closed) {
          wsSend(socket, encodeControl({ type: 'error', code: 'internal', message: 'authentication failed on the server; reconnect', fatal: true }));
          wsClose(socket, 1011, 'internal');
        }
      });
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.accessChanges.unsubscribe();
    this.frames.clear();
  }

  private async authenticate(request: IncomingMessage | undefined): Promise<{ principal: Principal } | { refusal: { code: ErrorCode; message: string } }> {
    const headers = request?.headers ?? {};
    const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
    if (authorization === undefined) {
      // the cookie rides along on cross-site handshakes: only this server's pages may use it
      if (!isAllowedOrigin(headers.origin, headers.host, this.config)) {
        return { refusal: { code: 'not-allowed', message: `WebSocket from origin ${String(headers.origin ?? '(none)').slice(0, 40)} refused: open the portal from this server` } };
      }
    }
    const principal = await this.auth.resolve({ cookie: headers.cookie, authorization });
    if (!principal) return { refusal: { code: 'auth-required', message: 'log in first: no valid session (it may have expired)' } };
    if (principal.mustChangePassword) return { refusal: { code: 'auth-required', message: 'change your one-time password first' } };
    return { principal };
  }

  /**
   * Re-checks the matching connections: session, user and exams. Lost access closes them.
   * Connections of one login (the same session or API key) are checked once together: a
   * proctor's tabs and a 1,000-viewer load test share a session, and each check is several
   * database statements, one of them a write (the session's idle expiry). Checked one by one,
   * 1,000 connections cost ~0.5 s of the event loop in one burst every 30 s.
   */
  private async recheckAll(match: (c: Connection) => boolean): Promise<void> {
    const logins = new Map<string, Connection[]>();
    for (const c of this.connections) {
      if (!match(c)) continue;
      const key = loginKey(c.principal);
      const group = logins.get(key);
      if (group) group.push(c);
      else logins.set(key, [c]);
    }
    for (const group of logins.values()) {
      try {
        const principal = await this.auth.recheck(group[0]!.principal);
        if (!principal) {
          for (const c of group) {
            this.connections.delete(c);
            c.fail('auth-required', 'your session ended (logout, expiry or account change): log in again');
          }
          continue;
        }
        const scope = await this.examAccess.scope(principal);
        for (const c of group) {
          const lost = !scope.all && (c.access.scope.all || [...c.access.scope.examIds].some((id) => !scope.examIds.has(id)));
          if (lost) {
            this.connections.delete(c);
            c.fail('not-allowed', 'your exam assignments changed: reconnect to get your current streams');
            continue;
          }
          c.principal = principal;
          c.access.scope = scope;
        }
      } catch (e) {
        this.logger.warn(`proctor re-check failed: ${e instanceof Error ? e.message : e}`);
      }
    }
  }
}

/** One login: the session, or the API key, of a user (connections with the same key are re-checked together). */
function loginKey(p: Principal): string {
  return `${p.userId}\u0000${p.via}\u0000${p.via === 'session' ? p.sessionId : p.apiKeyId}`;
}
