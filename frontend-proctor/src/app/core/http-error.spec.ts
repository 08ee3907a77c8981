import { describeHttpError, httpStatus } from './http-error';

describe('describeHttpError', () => {
  it("uses the server's message (Nest error shape)", () => {
    expect(describeHttpError({ status: 401, error: { statusCode: 401, message: 'email or password is wrong', error: 'Unauthorized' } })).toBe(
      'email or password is wrong',
    );
    expect(
      describeHttpError({ status: 400, error: { statusCode: 400, message: ['email must be an email', 'name should not be empty'] } }),
    ).toBe('email must be an email; name should not be empty');
    expect(describeHttpError({ status: 429, error: 'ThrottlerException: Too Many Requests' })).toBe('ThrottlerException: Too Many Requests');
  });

  it('describes the status when the body has no message', () => {
    expect(describeHttpError({ status: 0, error: new Error('x') })).toMatch(/cannot be reached/);
    expect(describeHttpError({ status: 429, error: null })).toMatch(/Too many attempts/);
    expect(describeHttpError({ status: 404, error: '<!doctype html><html>…' })).toBe('Not found.');
    expect(describeHttpError({ status: 502, error: null })).toMatch(/server failed \(502\)/);
    expect(describeHttpError({ status: 418, error: { message: [] } })).toBe('The request failed (418).');
  });

  it('handles non-HTTP errors', () => {
    expect(describeHttpError(new Error('boom'))).toBe('boom');
    expect(describeHttpError(undefined)).toBe('The request failed.');
    expect(httpStatus({ status: 403 })).toBe(403);
    expect(httpStatus(new Error('x'))).toBeNull();
    expect(httpStatus(null)).toBeNull();
  });
});
