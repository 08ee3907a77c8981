import { safeReturnUrl } from './return-url';

describe('safeReturnUrl', () => {
  it('keeps paths inside the portal', () => {
    expect(safeReturnUrl('/exams/e1')).toBe('/exams/e1');
    expect(safeReturnUrl('/streams/s1?x=1')).toBe('/streams/s1?x=1');
  });

  it('refuses other places and loops', () => {
    for (const v of [undefined, null, '', 'https://evil.example', '//evil.example/x', '/\\evil.example', '/login?returnUrl=/x', '/change-password']) {
      expect(safeReturnUrl(v)).toBe('/');
    }
  });
});
