import { ApplicationConfig, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { authInterceptor } from './auth/auth.interceptor';
import { routes } from './app.routes';

/**
 * Zoneless (signals drive change detection; no zone.js in the bundle), router
 * (route and query parameters bound to component inputs), fetch-based
 * HttpClient. The session is the server's httpOnly cookie, which fetch sends
 * with every same-origin request (`credentials: 'same-origin'`, its default);
 * the interceptor turns a 401 into the login page.
 *
 * No Angular Material here: this is the initial bundle (each form field says
 * `appearance="outline"` itself; a default-options provider would pull the
 * whole form field into the first download).
 */
export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
  ],
};
