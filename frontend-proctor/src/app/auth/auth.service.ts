import { Injectable, computed, inject, signal } from '@angular/core';
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import type { LoginResult, MeResult, User } from '@vigil/api';
import { httpStatus } from '../core/http-error';
import { markOnce } from '../core/perf-marks';
import { takeEarlySession } from '../core/early-start';

/** What the portal knows about the session. */
export type SessionState =
  /** Not asked yet (`GET /api/auth/me` pending or not sent). */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly user: User; readonly mustChangePassword: boolean };

/** Where the login page is. */
export const LOGIN_PATH = '/login';
/** Where a user with a one-time password goes first. */
export const CHANGE_PASSWORD_PATH = '/change-password';

/**
 * The session: who is logged in, from `GET /api/auth/me` (asked once, then
 * kept up to date by login, logout, password change and 401 answers). The
 * session itself is the server's httpOnly `vigil_session` cookie, which the
 * browser sends with every same-origin request and WebSocket upgrade; the
 * portal never sees it.
 *
 * In the initial bundle (guards and the interceptor use it), so it imports
 * nothing heavy: the portal shell opens the proctor WebSocket while
 * {@link ready}.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private pending: Promise<SessionState> | null = null;

  /** The session as last known. */
  readonly state = signal<SessionState>({ kind: 'unknown' });
  /** The logged-in user, or null. */
  readonly user = computed(() => {
    const s = this.state();
    return s.kind === 'user' ? s.user : null;
  });
  /** The user may use the portal (logged in, password changed). */
  readonly ready = computed(() => {
    const s = this.state();
    return s.kind === 'user' && !s.mustChangePassword;
  });
  readonly isAdmin = computed(() => this.user()?.role === 'admin');

  /**
   * The session state, asking `GET /api/auth/me` when it is not known yet
   * (or when `force`). Concurrent callers share one request.
   */
  check(force = false): Promise<SessionState> {
    const s = this.state();
    if (!force && s.kind !== 'unknown') return Promise.resolve(s);
    if (this.pending) return this.pending;
    this.pending = this.askMe(force)
      .then(
        (me): SessionState => ({ kind: 'user', user: me.user, mustChangePassword: me.mustChangePassword }),
        (err: unknown): SessionState => {
          if (httpStatus(err) === 401) return { kind: 'anonymous' };
          throw err;
        },
      )
      .then((next) => {
        markOnce('vigil:auth-checked');
        if (next.kind === 'anonymous' && this.state().kind === 'user') this.sessionLost();
        else this.state.set(next);
        return next;
      })
      .finally(() => (this.pending = null));
    return this.pending;
  }

  /**
   * `GET /api/auth/me`: the first time the answer to the request main.ts sent before Angular
   * booted (`early-start.ts`), else through HttpClient. Rejects with the HTTP error.
   */
  private askMe(force: boolean): Promise<MeResult> {
    const early = force ? null : takeEarlySession();
    const ask = () => firstValueFrom(this.http.get<MeResult>('/api/auth/me'));
    if (!early) return ask();
    return early.then(
      async (res) => {
        if (!res.ok) throw new HttpErrorResponse({ status: res.status, statusText: res.statusText, url: res.url });
        return (await res.json()) as MeResult;
      },
      ask, // the early request failed (network): ask again
    );
  }

  /**
   * Logs in. Resolves with the new state; rejects with the HTTP error
   * (401 `email or password is wrong`, 429 too many attempts, …).
   */
  async login(email: string, password: string): Promise<SessionState> {
    const res = await firstValueFrom(this.http.post<LoginResult>('/api/auth/login', { email, password }));
    const next: SessionState = { kind: 'user', user: res.user, mustChangePassword: res.mustChangePassword };
    this.state.set(next);
    return next;
  }

  /** Changes the password; the session stays and is no longer restricted. Rejects with the HTTP error. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await firstValueFrom(this.http.post<void>('/api/auth/password', { currentPassword, newPassword }));
    const s = this.state();
    if (s.kind === 'user') this.state.set({ kind: 'user', user: { ...s.user, mustChangePassword: false }, mustChangePassword: false });
  }

  /** Ends the session on the server (best effort) and goes to the login page. */
  async logout(): Promise<void> {
    try {
      await firstValueFrom(this.http.post<void>('/api/auth/logout', null));
    } catch {
      // Already gone (401) or unreachable: the portal forgets the session either way.
    }
    this.state.set({ kind: 'anonymous' });
    await this.router.navigateByUrl(LOGIN_PATH);
  }

  /**
   * A request was answered 401: the session expired, was ended or the user
   * was disabled. Forget it and send the user to the login page, coming back
   * to where they were after logging in.
   */
  sessionLost(): void {
    const wasKnown = this.state().kind === 'user';
    this.state.set({ kind: 'anonymous' });
    const here = this.router.url;
    if (here.startsWith(LOGIN_PATH)) return;
    void this.router.navigate([LOGIN_PATH], {
      queryParams: { returnUrl: here && here !== '/' ? here : null, expired: wasKnown ? 1 : null },
    });
  }
}
