import { inject } from '@angular/core';
import { Router, type CanActivateFn, type CanMatchFn } from '@angular/router';
import { AuthService, CHANGE_PASSWORD_PATH, LOGIN_PATH } from './auth.service';

// Guards call inject() before their first await: only the synchronous part runs in an injection context.

/** `returnUrl` query parameter for `url` (none for the home page). */
const returnTo = (url: string) => ({ returnUrl: url === '/' || url.startsWith(LOGIN_PATH) ? null : url });

/** The portal's pages: a logged-in user whose password is not a one-time password. */
export const authGuard: CanActivateFn = async (_route, state) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  // The server cannot be asked (down, 5xx): the login page says what is wrong when used.
  const s = await auth.check().catch(() => null);
  if (s?.kind !== 'user') return router.createUrlTree([LOGIN_PATH], { queryParams: returnTo(state.url) });
  if (s.mustChangePassword) return router.createUrlTree([CHANGE_PASSWORD_PATH], { queryParams: returnTo(state.url) });
  return true;
};

/** The password page: any logged-in user (also one with a one-time password). */
export const sessionGuard: CanActivateFn = async (_route, state) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const s = await auth.check().catch(() => null);
  return s?.kind === 'user' ? true : router.createUrlTree([LOGIN_PATH], { queryParams: returnTo(state.url) });
};

/** The login page: a user who is logged in already goes to the portal. */
export const anonymousGuard: CanActivateFn = async () => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const s = await auth.check().catch(() => null);
  return s?.kind === 'user' ? router.createUrlTree(['/']) : true;
};

/**
 * The admin pages (lazy chunk): admins only. A proctor does not even load the
 * chunk and sees the not-found page; the server refuses their requests anyway.
 */
export const adminGuard: CanMatchFn = async () => {
  const auth = inject(AuthService);
  const s = await auth.check().catch(() => null);
  return s?.kind === 'user' && s.user.role === 'admin';
};
