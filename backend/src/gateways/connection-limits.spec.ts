import { CapRefusal, ConnectionLimits, ConnectionPlace } from './connection-limits';

type Scope = 'exam' | 'seat';

function place(limits: ConnectionLimits<Scope>): ConnectionPlace<Scope> {
  const p = limits.open();
  if (!ConnectionPlace.is(p)) throw new Error(`expected a place, got ${JSON.stringify(p)}`);
  return p;
}

describe('ConnectionLimits', () => {
  it('refuses the connection past the total cap, naming it, and takes it again after a release', () => {
    const limits = new ConnectionLimits<Scope>(2, { exam: 10, seat: 10 });
    const a = place(limits);
    place(limits);
    expect(limits.open()).toEqual<CapRefusal<Scope>>({ cap: 'total', key: null, limit: 2 });
    a.release();
    a.release(); // idempotent: frees one place only
    expect(limits.openCount).toBe(1);
    expect(ConnectionPlace.is(limits.open())).toBe(true);
    expect(limits.open()).toMatchObject({ cap: 'total' });
  });

  it('caps per exam and per seat, all or nothing, and counts a claim held twice once', () => {
    const limits = new ConnectionLimits<Scope>(100, { exam: 3, seat: 2 });
    const seatKey = (exam: string, seat: string) => `${exam}/${seat}`;
    const claims = (exam: string, seat: string) => [['exam', exam], ['seat', seatKey(exam, seat)]] as const;
    const p1 = place(limits);
    expect(p1.claim(claims('e1', 's1'))).toBeNull();
    expect(p1.claim(claims('e1', 's1'))).toBeNull(); // already held: not counted again
    expect(limits.count('exam', 'e1')).toBe(1);
    expect(place(limits).claim(claims('e1', 's1'))).toBeNull();
    const p3 = place(limits);
    expect(p3.claim(claims('e1', 's1'))).toEqual({ cap: 'seat', key: 'e1/s1', limit: 2 });
    expect(limits.count('exam', 'e1')).toBe(2); // the refused claim took nothing
    expect(p3.claim(claims('e1', 's2'))).toBeNull();
    expect(place(limits).claim(claims('e1', 's3'))).toEqual({ cap: 'exam', key: 'e1', limit: 3 });
    expect(place(limits).claim(claims('e2', 's1'))).toBeNull(); // other exams are not affected
    p1.releaseScopes();
    expect(limits.count('exam', 'e1')).toBe(2);
    expect(limits.count('seat', 'e1/s1')).toBe(1);
    expect(limits.openCount).toBe(5); // the socket still holds its place in total
    p1.release();
    expect(limits.openCount).toBe(4);
    expect(limits.count('exam', 'e1')).toBe(2); // released once only
  });

  it('a connection taking another over (a resume) does not count it, and frees its places only when admitted', () => {
    const limits = new ConnectionLimits<Scope>(100, { exam: 2, seat: 1 });
    const old = place(limits);
    expect(old.claim([['exam', 'e1'], ['seat', 'e1/s1']])).toBeNull();
    const fresh = place(limits);
    expect(fresh.claim([['exam', 'e1'], ['seat', 'e1/s1']])).toEqual({ cap: 'seat', key: 'e1/s1', limit: 1 });
    expect(old.held).toHaveLength(2); // a refusal changes nothing
    expect(fresh.claim([['exam', 'e1'], ['seat', 'e1/s1']], old)).toBeNull();
    expect(old.held).toEqual([]); // given back: it is about to be closed
    expect([limits.count('exam', 'e1'), limits.count('seat', 'e1/s1')]).toEqual([1, 1]);
    const other = place(limits);
    expect(other.claim([['exam', 'e1'], ['seat', 'e1/s2']])).toBeNull(); // exam e1 now full (2)
    const third = place(limits);
    expect(third.claim([['exam', 'e1'], ['seat', 'e1/s3']])).toEqual({ cap: 'exam', key: 'e1', limit: 2 });
    // a credit for another seat's connection still frees its exam place (a takeover is only ever of the same seat: the gateway checks)
    expect(third.claim([['exam', 'e1'], ['seat', 'e1/s3']], other)).toBeNull();
    expect(other.held).toEqual([]);
    expect(limits.count('exam', 'e1')).toBe(2);
  });

  it('refuses bad caps, unknown scopes and claims after release with a RangeError', () => {
    expect(() => new ConnectionLimits<Scope>(0, { exam: 1, seat: 1 })).toThrow(/cap total must be an integer >= 1, got 0/);
    expect(() => new ConnectionLimits<Scope>(1, { exam: 1.5, seat: 1 })).toThrow(/cap exam must be an integer >= 1, got 1.5/);
    const limits = new ConnectionLimits<Scope>(1, { exam: 1, seat: 1 });
    const p = place(limits);
    expect(() => p.claim([['user' as Scope, 'u']])).toThrow(/unknown connection scope user/);
    p.release();
    expect(() => p.claim([['exam', 'e']])).toThrow(/already released/);
  });
});
