import type { Type } from '@angular/core';
import { Routes } from '@angular/router';
import { adminGuard, anonymousGuard, authGuard, sessionGuard } from './auth/auth.guards';
import { pagesFor, type PageKey } from './core/early-routes';

/**
 * The lazy pages, one loader each (the routes below use them; {@link prefetchPages} calls
 * them early: an ES module is fetched and run once, whoever imports it first).
 */
const PAGES = {
  login: () => import('./auth/login.component').then((m) => m.LoginComponent),
  'change-password': () => import('./auth/change-password.component').then((m) => m.ChangePasswordComponent),
  shell: () => import('./shell.component').then((m) => m.ShellComponent),
  exams: () => import('./exams/exam-list.component').then((m) => m.ExamListComponent),
  exam: () => import('./exams/exam-page.component').then((m) => m.ExamPageComponent),
  wall: () => import('./wall/exam-wall.component').then((m) => m.ExamWallComponent),
  streams: () => import('./streams/stream-list.component').then((m) => m.StreamListComponent),
  live: () => import('./live/live-view.component').then((m) => m.LiveViewComponent),
  recording: () => import('./review/recording-page.component').then((m) => m.RecordingPageComponent),
} satisfies Record<PageKey, () => Promise<Type<unknown>>>;

/**
 * Starts fetching the lazy pages the address `pathname` will show (main.ts, before Angular
 * boots): their code loads while the session is checked instead of after it. A page the
 * guards then refuse costs a download, nothing else.
 */
export function prefetchPages(pathname: string): void {
  for (const page of pagesFor(pathname)) void PAGES[page]().catch(() => undefined); // the router reports a failed load itself
}

/**
 * - `/login`, `/change-password`: outside the shell.
 * - Everything else needs a session whose password is not a one-time password (authGuard):
 *   `/exams` (my exams), `/exams/:examId` (its seats, live), `/exams/:examId/wall` (every seat's
 *   live screen as a tile), `/streams` (every live stream),
 *   `/streams/:streamId` (live view with the player; "Back 20 s" switches it to the review
 *   player), `/recordings/:streamId` (review of the stored recording), `/admin/…` (admins only).
 *
 * Every page is a lazy chunk: the initial bundle holds Angular, the router,
 * the session check and nothing else, so the first paint stays small while
 * Angular Material comes with the pages that use it. main.ts fetches the
 * chunks of the opened address at once ({@link prefetchPages}), alongside
 * the session check and the proctor socket (core/early-start.ts).
 */
export const routes: Routes = [
  {
    path: 'login',
    loadComponent: PAGES.login,
    canActivate: [anonymousGuard],
    title: 'Log in · Vigil',
  },
  {
    path: 'change-password',
    loadComponent: PAGES['change-password'],
    canActivate: [sessionGuard],
    title: 'Password · Vigil',
  },
  {
    path: '',
    loadComponent: PAGES.shell,
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'exams' },
      {
        path: 'exams',
        loadComponent: PAGES.exams,
        title: 'Exams · Vigil',
      },
      {
        path: 'exams/:examId',
        loadComponent: PAGES.exam,
        title: 'Exam · Vigil',
      },
      {
        path: 'exams/:examId/wall',
        loadComponent: PAGES.wall,
        title: 'Wall · Vigil',
      },
      {
        path: 'streams',
        loadComponent: PAGES.streams,
        title: 'Streams · Vigil',
      },
      {
        path: 'streams/:streamId',
        loadComponent: PAGES.live,
        title: 'Live · Vigil',
      },
      {
        path: 'recordings/:streamId',
        loadComponent: PAGES.recording,
        title: 'Recording · Vigil',
      },
      {
        path: 'admin',
        canMatch: [adminGuard],
        loadChildren: () => import('./admin/admin.routes').then((m) => m.ADMIN_ROUTES),
        title: 'Admin · Vigil',
      },
      {
        path: '**',
        loadComponent: () => import('./shared/not-found.component').then((m) => m.NotFoundComponent),
        title: 'Not found · Vigil',
      },
    ],
  },
];
