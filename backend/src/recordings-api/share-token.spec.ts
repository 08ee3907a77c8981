import { ShareTokenError, shareTokenKey, signShareToken, verifyShareToken } from './share-token';

describe('share-link tokens', () => {
  const key = shareTokenKey('x'.repeat(32));
  const claims = { streamId: 'stream-1', fromMs: 1000, toMs: 61_000, expiresAtMs: 2_000_000 };

  it('round-trips and covers exactly one stream, one range, until it expires', () => {
    const token = signShareToken(key, claims);
    expect(token).toMatch(/^s1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyShareToken(key, token, 1_999_999)).toEqual(claims);
    expect(() => verifyShareToken(key, token, 2_000_000)).toThrow(expect.objectContaining({ problem: 'expired' }));
  });

  it('refuses forged, widened, foreign-key and malformed tokens with the reason', () => {
    const token = signShareToken(key, claims);
    const [prefix, , signature] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ s: 'stream-1', f: 0, t: 9e15, x: 9e15 })).toString('base64url');
    const problem = (t: string) => {
      try {
        verifyShareToken(key, t, 0);
        return 'accepted';
      } catch (e) {
        return (e as ShareTokenError).problem;
      }
    };
    expect(problem(`${prefix}.${widened}.${signature}`)).toBe('bad-signature');
    expect(problem(signShareToken(shareTokenKey('y'.repeat(32)), claims))).toBe('bad-signature');
    expect(problem('s1.abc')).toBe('malformed');
    expect(problem('v1.abc.def')).toBe('malformed');
    expect(problem('x'.repeat(600))).toBe('malformed');
    const notJson = `s1.${Buffer.from('nope').toString('base64url')}`;
    expect(problem(`${notJson}.${signShareToken(key, claims).split('.')[2]}`)).toBe('bad-signature'); // signature first: nothing unsigned is parsed
  });
});
