import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { tap } from 'rxjs';
import { AuthService } from './auth.service';

/**
 * Requests whose 401 is an answer for the page that sent them, not a lost
 * session: a wrong password at login, and the session check itself.
 */
const OWN_401 = ['/api/auth/login', '/api/auth/me'];

/**
 * A 401 from any other API request means the session is gone (expired,
 * logged out elsewhere, user disabled): back to the login page.
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(AuthService);
  return next(req).pipe(
    tap({
      error: (err: unknown) => {
        if (err instanceof HttpErrorResponse && err.status === 401 && !OWN_401.some((p) => req.url.startsWith(p))) {
          auth.sessionLost();
        }
      },
    }),
  );
};
