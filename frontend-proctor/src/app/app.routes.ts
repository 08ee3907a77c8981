import { Routes } from '@angular/router';
import { adminGuard, anonymousGuard, authGuard, sessionGuard } from './auth/auth.guards';
import { PAGES } from './core/page-loaders';

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
 * chunks of the opened address at once (core/page-loaders.ts `prefetchPages`), alongside
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
