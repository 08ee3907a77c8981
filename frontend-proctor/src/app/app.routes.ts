import { Routes } from '@angular/router';
import { adminGuard, anonymousGuard, authGuard, sessionGuard } from './auth/auth.guards';

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
 * Angular Material comes with the pages that use it.
 */
export const routes: Routes = [
  {
    path: 'login',
    loadComponent: () => import('./auth/login.component').then((m) => m.LoginComponent),
    canActivate: [anonymousGuard],
    title: 'Log in · Vigil',
  },
  {
    path: 'change-password',
    loadComponent: () => import('./auth/change-password.component').then((m) => m.ChangePasswordComponent),
    canActivate: [sessionGuard],
    title: 'Password · Vigil',
  },
  {
    path: '',
    loadComponent: () => import('./shell.component').then((m) => m.ShellComponent),
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'exams' },
      {
        path: 'exams',
        loadComponent: () => import('./exams/exam-list.component').then((m) => m.ExamListComponent),
        title: 'Exams · Vigil',
      },
      {
        path: 'exams/:examId',
        loadComponent: () => import('./exams/exam-page.component').then((m) => m.ExamPageComponent),
        title: 'Exam · Vigil',
      },
      {
        path: 'exams/:examId/wall',
        loadComponent: () => import('./wall/exam-wall.component').then((m) => m.ExamWallComponent),
        title: 'Wall · Vigil',
      },
      {
        path: 'streams',
        loadComponent: () => import('./streams/stream-list.component').then((m) => m.StreamListComponent),
        title: 'Streams · Vigil',
      },
      {
        path: 'streams/:streamId',
        loadComponent: () => import('./live/live-view.component').then((m) => m.LiveViewComponent),
        title: 'Live · Vigil',
      },
      {
        path: 'recordings/:streamId',
        loadComponent: () => import('./review/recording-page.component').then((m) => m.RecordingPageComponent),
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
