/**
 * What the portal can start before Angular has booted, read from the address alone (pure):
 * which lazy pages the address will need ({@link pagesFor}, fetched while the session is
 * checked) and which stream the live view will subscribe to ({@link earlySubscription}, asked
 * for on the proctor WebSocket while the page's code loads). See `early-start.ts`.
 */

/** The lazy pages of `app.routes.ts` that an address can be fetched ahead for. */
export type PageKey = 'login' | 'change-password' | 'shell' | 'exams' | 'exam' | 'wall' | 'streams' | 'live' | 'recording';

/** Stream and exam ids as the protocol allows them (libs/protocol `ID_PATTERN`). */
const ID = '[A-Za-z0-9._:-]{1,128}';

const PAGES: readonly [RegExp, readonly PageKey[]][] = [
  [/^\/login$/, ['login']],
  [/^\/change-password$/, ['change-password']],
  [/^\/(exams)?$/, ['shell', 'exams']],
  [new RegExp(`^/exams/${ID}$`), ['shell', 'exam']],
  [new RegExp(`^/exams/${ID}/wall$`), ['shell', 'wall']],
  [/^\/streams$/, ['shell', 'streams']],
  [new RegExp(`^/streams/${ID}$`), ['shell', 'live']],
  [new RegExp(`^/recordings/${ID}$`), ['shell', 'recording']],
];

/** The lazy pages the router will load for `pathname` (none for pages it cannot tell, e.g. admin). */
export function pagesFor(pathname: string): readonly PageKey[] {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return PAGES.find(([re]) => re.test(path))?.[1] ?? [];
}

/**
 * The stream the live view at this address will watch, or null: `/streams/:streamId`, live
 * (not "Back 20 s", whose `?at=` shows the recording instead).
 */
export function earlySubscription(pathname: string, search: string): string | null {
  const m = new RegExp(`^/streams/(${ID})/?$`).exec(pathname);
  if (!m) return null;
  if (new URLSearchParams(search).has('at')) return null;
  return m[1]!;
}
