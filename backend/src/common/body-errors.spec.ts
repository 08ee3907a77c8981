import { SERVER_TEST_TIMEOUT_MS, startTestServer, type TestServer } from '../testing/test-server';
import { bodyErrorResponse } from './body-errors';

describe('refused request bodies', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  }, SERVER_TEST_TIMEOUT_MS);
  afterAll(async () => server?.close());

  const post = (path: string, body: string | Buffer, contentType: string, extra: Record<string, string> = {}) =>
    fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...extra }, body });

  it('answers 413 with the limit for a JSON body over 1 MB, on any API route (was 404 "Cannot POST")', async () => {
    for (const path of ['/api/auth/login', '/api/exams', '/api/no-such-route']) {
      const r = await post(path, JSON.stringify({ email: 'x'.repeat(2_000_000) }), 'application/json');
      expect(r.status).toBe(413);
      expect(await r.json()).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.stringMatching(/^request body too large: at most 1048576 bytes/) });
    }
  });

  it('answers 400 for malformed JSON and 415 for an unsupported encoding, and keeps serving', async () => {
    const bad = await post('/api/auth/login', '{"email": "a@b.c", ', 'application/json');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^request body is not valid JSON/);
    const encoded = await post('/api/auth/login', '{}', 'application/json', { 'content-encoding': 'br-unknown' });
    expect(encoded.status).toBe(415);
    expect(((await encoded.json()) as { message: string }).message).toMatch(/encoding or charset not supported/);
    const ok = await post('/api/auth/login', JSON.stringify({ email: 'nobody@vigil.test', password: 'wrong password here' }), 'application/json');
    expect(ok.status).toBe(401); // the route itself still answers
    expect((await fetch(`${server.base}/api/health`)).status).toBe(200);
  });

  it('leaves other errors alone', () => {
    expect(bodyErrorResponse(new Error('boom'))).toBeNull();
    expect(bodyErrorResponse(null)).toBeNull();
    expect(bodyErrorResponse({ type: 'entity.too.large', status: 413, limit: 10 })).toMatchObject({ statusCode: 413, message: expect.stringMatching(/at most 10 bytes/) });
  });
});
