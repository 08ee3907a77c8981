import { earlySubscription, pagesFor } from './early-routes';

describe('pagesFor', () => {
  it('names the shell and the page of every portal address', () => {
    expect(pagesFor('/')).toEqual(['shell', 'exams']);
    expect(pagesFor('/exams')).toEqual(['shell', 'exams']);
    expect(pagesFor('/exams/e-1')).toEqual(['shell', 'exam']);
    expect(pagesFor('/exams/e-1/wall')).toEqual(['shell', 'wall']);
    expect(pagesFor('/streams')).toEqual(['shell', 'streams']);
    expect(pagesFor('/streams/3f2a-9c')).toEqual(['shell', 'live']);
    expect(pagesFor('/streams/3f2a-9c/')).toEqual(['shell', 'live']);
    expect(pagesFor('/recordings/3f2a-9c')).toEqual(['shell', 'recording']);
    expect(pagesFor('/login')).toEqual(['login']);
    expect(pagesFor('/change-password')).toEqual(['change-password']);
  });

  it('names nothing it cannot tell (admin pages, unknown addresses, bad ids)', () => {
    expect(pagesFor('/admin/users')).toEqual([]);
    expect(pagesFor('/nope')).toEqual([]);
    expect(pagesFor('/streams/a%20b')).toEqual([]);
    expect(pagesFor(`/streams/${'x'.repeat(129)}`)).toEqual([]);
  });
});

describe('earlySubscription', () => {
  it('is the stream of a live view', () => {
    expect(earlySubscription('/streams/3f2a-9c', '')).toBe('3f2a-9c');
    expect(earlySubscription('/streams/3f2a-9c/', '?x=1')).toBe('3f2a-9c');
  });

  it('is null for a recording shown by "Back 20 s" and for other pages', () => {
    expect(earlySubscription('/streams/3f2a-9c', '?at=1700000000000')).toBeNull();
    expect(earlySubscription('/streams', '')).toBeNull();
    expect(earlySubscription('/recordings/3f2a-9c', '')).toBeNull();
    expect(earlySubscription('/streams/a b', '')).toBeNull();
  });
});
