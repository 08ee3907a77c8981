/**
 * Connection caps for the WebSocket gateways (pure: no sockets, no timers).
 *
 * A connection takes a place in total as soon as it opens ({@link ConnectionLimits.open}),
 * before any work, and claims places in named scopes once it is known whom it belongs to
 * ({@link ConnectionPlace.claim}: a Sentinel's exam and seat after its `hello` is
 * authorized, a proctor's user after its session is resolved). A refusal names the cap that
 * is full, so the gateway can send a coded error (`server-busy`, `not-allowed`) with a
 * message naming the limit.
 *
 * Places are given back explicitly: {@link ConnectionPlace.releaseScopes} when the
 * connection stops counting for its owner (closed by the server, taken over by a newer
 * connection of the same stream) and {@link ConnectionPlace.release} when the socket is gone.
 * Both are idempotent, so counts never go negative nor leak.
 */

/** Which cap refused a connection: `total`, or the scope name (e.g. `exam`, `seat`, `user`). */
export interface CapRefusal<S extends string> {
  cap: 'total' | S;
  /** The scope key that is full (an exam id, a user id); null for `total`. */
  key: string | null;
  /** The cap's value, connections. */
  limit: number;
}

/**
 * Counts open connections against a cap in total and one cap per scope key.
 * @typeParam S scope names, e.g. `'exam' | 'seat'`
 */
export class ConnectionLimits<S extends string> {
  private total = 0;
  private readonly counts = new Map<S, Map<string, number>>();

  /**
   * @param maxTotal most open connections in total (>= 1)
   * @param perScope most open connections per key of each scope (>= 1)
   * @throws RangeError for a cap below 1 or not an integer
   */
  constructor(
    readonly maxTotal: number,
    readonly perScope: Readonly<Record<S, number>>,
  ) {
    for (const [name, cap] of [['total', maxTotal], ...Object.entries<number>(perScope)] as [string, number][]) {
      if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`connection cap ${name} must be an integer >= 1, got ${cap}`);
    }
    for (const scope of Object.keys(perScope) as S[]) this.counts.set(scope, new Map());
  }

  /** Open connections (places taken in total). */
  get openCount(): number {
    return this.total;
  }

  /** Connections holding a place for `key` in `scope`. */
  count(scope: S, key: string): number {
    return this.counts.get(scope)?.get(key) ?? 0;
  }

  /**
   * Takes a place in total for a new connection.
   * @returns the place, or the `total` refusal when {@link maxTotal} connections are open
   */
  open(): ConnectionPlace<S> | CapRefusal<S> {
    if (this.total >= this.maxTotal) return { cap: 'total', key: null, limit: this.maxTotal };
    this.total++;
    return new ConnectionPlace<S>(this);
  }

  /**
   * @internal by {@link ConnectionPlace}: all or nothing; `credit` are claims about to be
   * given back (a connection being taken over), not counted against the caps.
   */
  tryClaim(claims: readonly (readonly [S, string])[], credit: readonly (readonly [S, string])[] = []): CapRefusal<S> | null {
    for (const [scope, key] of claims) {
      const map = this.counts.get(scope);
      if (!map) throw new RangeError(`unknown connection scope ${scope}`);
      const extra = claims.filter(([s, k]) => s === scope && k === key).length;
      const freed = credit.filter(([s, k]) => s === scope && k === key).length;
      if ((map.get(key) ?? 0) - freed + extra > this.perScope[scope]) return { cap: scope, key, limit: this.perScope[scope] };
    }
    for (const [scope, key] of claims) {
      const map = this.counts.get(scope)!;
      map.set(key, (map.get(key) ?? 0) + 1);
    }
    return null;
  }

  /** @internal by {@link ConnectionPlace}. */
  unclaim(scope: S, key: string): void {
    const map = this.counts.get(scope)!;
    const n = (map.get(key) ?? 0) - 1;
    if (n > 0) map.set(key, n);
    else map.delete(key);
  }

  /** @internal by {@link ConnectionPlace}. */
  closeOne(): void {
    this.total = Math.max(0, this.total - 1);
  }
}

/** One connection's places: its place in total and its scope claims. */
export class ConnectionPlace<S extends string> {
  private claims: (readonly [S, string])[] = [];
  private released = false;

  /** @internal created by {@link ConnectionLimits.open}. */
  constructor(private readonly limits: ConnectionLimits<S>) {}

  /** Whether `x` is a place (and not a refusal). */
  static is<S extends string>(x: ConnectionPlace<S> | CapRefusal<S>): x is ConnectionPlace<S> {
    return x instanceof ConnectionPlace;
  }

  /** The scope claims this connection holds. */
  get held(): readonly (readonly [S, string])[] {
    return this.claims;
  }

  /**
   * Claims places in scopes, all or nothing: e.g. `[['exam', examId], ['seat', seatKey]]`.
   * Claims already held by this place are kept and not counted twice.
   * @param replacing a connection this one takes over (a resume of the same stream): its
   *   claims do not count against the caps, and it gives them back once this claim succeeds
   * @returns null when claimed; otherwise the first full cap (nothing changes then)
   * @throws RangeError after {@link release}, or for a scope the limits do not know
   */
  claim(claims: readonly (readonly [S, string])[], replacing?: ConnectionPlace<S>): CapRefusal<S> | null {
    if (this.released) throw new RangeError('connection place already released');
    const fresh = claims.filter(([s, k]) => !this.claims.some(([hs, hk]) => hs === s && hk === k));
    const credit = replacing && replacing !== this ? replacing.held : [];
    const refusal = this.limits.tryClaim(fresh, credit);
    if (refusal !== null) return refusal;
    this.claims.push(...fresh);
    if (credit.length > 0) replacing!.releaseScopes();
    return null;
  }

  /** Gives back the scope claims and keeps the place in total (the socket still exists). Idempotent. */
  releaseScopes(): void {
    for (const [scope, key] of this.claims) this.limits.unclaim(scope, key);
    this.claims = [];
  }

  /** Gives back everything: the socket is gone. Idempotent. */
  release(): void {
    if (this.released) return;
    this.releaseScopes();
    this.released = true;
    this.limits.closeOne();
  }
}
