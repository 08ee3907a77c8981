import type { Type } from '@angular/core';
import { pagesFor, type PageKey } from './early-routes';

/**
 * The lazy pages, one loader each: the routes (`app.routes.ts`) load them, and
 * {@link prefetchPages} calls them early (an ES module is fetched and run once, whoever
 * imports it first). Imports nothing of Angular at run time (the `Type` is a type only), so
 * main.ts can start the fetches before Angular itself has loaded.
 */
export const PAGES = {
  login: () => import('../auth/login.component').then((m) => m.LoginComponent),
  'change-password': () => import('../auth/change-password.component').then((m) => m.ChangePasswordComponent),
  shell: () => import('../shell.component').then((m) => m.ShellComponent),
  exams: () => import('../exams/exam-list.component').then((m) => m.ExamListComponent),
  exam: () => import('../exams/exam-page.component').then((m) => m.ExamPageComponent),
  wall: () => import('../wall/exam-wall.component').then((m) => m.ExamWallComponent),
  streams: () => import('../streams/stream-list.component').then((m) => m.StreamListComponent),
  live: () => import('../live/live-view.component').then((m) => m.LiveViewComponent),
  recording: () => import('../review/recording-page.component').then((m) => m.RecordingPageComponent),
} satisfies Record<PageKey, () => Promise<Type<unknown>>>;

/**
 * Starts fetching the lazy pages the address `pathname` will show (main.ts, before Angular
 * boots): their code (and Angular's, which they import) loads while the session is checked.
 * A page the guards then refuse costs a download, nothing else.
 */
export function prefetchPages(pathname: string): void {
  for (const page of pagesFor(pathname)) void PAGES[page]().catch(() => undefined); // the router reports a failed load itself
}
