import { bearerToken, isLoopback, isProxied, metricsAccess, sameSecret } from './metrics-access';
import { idsInMessage, scrubUrl } from '../common/json-logging';

const TOKEN = 't'.repeat(40);
const local = { authorization: undefined, remoteAddress: '127.0.0.1', proxied: false };
const remote = { authorization: undefined, remoteAddress: '203.0.113.7', proxied: false };

describe('who may scrape /metrics', () => {
  it('is off (404) unless a token or loopback access is configured', () => {
    const off = { metricsToken: null, metricsLoopback: false };
    expect(metricsAccess(off, local)).toBe('off');
    expect(metricsAccess(off, { ...remote, authorization: `Bearer ${TOKEN}` })).toBe('off');
  });

  it('with a token: the right Bearer token from anywhere; otherwise 401', () => {
    const cfg = { metricsToken: TOKEN, metricsLoopback: false };
    expect(metricsAccess(cfg, { ...remote, authorization: `Bearer ${TOKEN}` })).toBe('ok');
    expect(metricsAccess(cfg, { ...remote, authorization: `bearer  ${TOKEN}` })).toBe('ok');
    expect(metricsAccess(cfg, { ...remote, authorization: `Bearer ${TOKEN}x` })).toBe('unauthorized');
    expect(metricsAccess(cfg, { ...remote, authorization: TOKEN })).toBe('unauthorized');
    expect(metricsAccess(cfg, local)).toBe('unauthorized'); // loopback is not enough unless asked for
  });

  it('loopback only: local clients that did not come through a proxy; others 403', () => {
    const cfg = { metricsToken: null, metricsLoopback: true };
    expect(metricsAccess(cfg, local)).toBe('ok');
    expect(metricsAccess(cfg, { ...local, remoteAddress: '::1' })).toBe('ok');
    expect(metricsAccess(cfg, { ...local, remoteAddress: '::ffff:127.0.0.1' })).toBe('ok');
    expect(metricsAccess(cfg, { ...local, proxied: true })).toBe('forbidden');
    expect(metricsAccess(cfg, remote)).toBe('forbidden');
    expect(metricsAccess(cfg, { ...local, remoteAddress: undefined })).toBe('forbidden');
  });

  it('both: loopback without a token, anyone with it; 401 otherwise', () => {
    const cfg = { metricsToken: TOKEN, metricsLoopback: true };
    expect(metricsAccess(cfg, local)).toBe('ok');
    expect(metricsAccess(cfg, { ...local, proxied: true })).toBe('unauthorized');
    expect(metricsAccess(cfg, { ...local, proxied: true, authorization: `Bearer ${TOKEN}` })).toBe('ok');
  });

  it('helpers: Bearer parsing, constant-time comparison, loopback addresses, proxy headers', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(isLoopback('127.8.9.1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopback('fe80::1')).toBe(false);
    expect(isProxied({ 'x-forwarded-for': '1.2.3.4' })).toBe(true);
    expect(isProxied({ forwarded: 'for=1.2.3.4' })).toBe(true);
    expect(isProxied({ 'x-real-ip': '1.2.3.4' })).toBe(true);
    expect(isProxied({ host: 'x' })).toBe(false);
  });
});

describe('JSON log helpers', () => {
  it('scrubs tokens from URLs: query values and share links', () => {
    expect(scrubUrl('/sentinel/?exam=e&seat=s&token=v1.abc.def#x')).toBe('/sentinel/?exam=e&seat=s&token=[Redacted]#x');
    expect(scrubUrl('/x?token=a&access_token=b&TOKEN=c')).toBe('/x?token=[Redacted]&access_token=[Redacted]&TOKEN=[Redacted]');
    expect(scrubUrl('/api/shared/v1.abc.def/files/x.m4s?y=1')).toBe('/api/shared/[Redacted]/files/x.m4s?y=1');
    expect(scrubUrl('/api/streams?tokens=1')).toBe('/api/streams?tokens=1');
    expect(scrubUrl(undefined)).toBeUndefined();
  });

  it('finds stream and exam ids named in a message', () => {
    const id = '3f2a9c4e-1b2d-4c3e-8f9a-0b1c2d3e4f5a';
    expect(idsInMessage(`sentinel started stream ${id} (exam ${id.replace('3f', '4f')}, seat x)`)).toEqual({ streamId: id, examId: id.replace('3f', '4f') });
    expect(idsInMessage('streams a, b left out of a stream list: x')).toEqual({});
  });
});
