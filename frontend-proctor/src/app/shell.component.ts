import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatMenu, MatMenuItem, MatMenuTrigger } from '@angular/material/menu'; // standalone, only inside @defer: a lazy chunk
import { MatToolbarModule } from '@angular/material/toolbar';
import { AuthService } from './auth/auth.service';
import { ProctorConnection } from './core/proctor-connection';

/**
 * The logged-in portal (lazy chunk): toolbar (pages, connection indicator,
 * account menu) and the routed page. Keeps the proctor WebSocket open while
 * it is shown and the session is usable; leaving it (logout, session lost)
 * closes the socket.
 */
@Component({
  selector: 'vigil-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatToolbarModule, MatButtonModule, MatMenu, MatMenuItem, MatMenuTrigger],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-toolbar class="topbar">
      <a class="brand" routerLink="/exams"><span class="logo" aria-hidden="true">◉</span> Vigil</a>
      <nav class="nav">
        <a mat-button routerLink="/exams" routerLinkActive="active" data-testid="nav-exams">{{ auth.isAdmin() ? 'Exams' : 'My exams' }}</a>
        <a mat-button routerLink="/streams" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }" data-testid="nav-streams">Live streams</a>
        @if (auth.isAdmin()) {
          <a mat-button routerLink="/admin" routerLinkActive="active" data-testid="nav-admin">Admin</a>
        }
      </nav>
      <span class="spacer"></span>
      <span class="conn" [attr.data-status]="status()" data-testid="connection" [title]="'Live updates (WebSocket /ws/proctor): ' + label()">
        <span class="dot"></span>{{ label() }}
      </span>
      <!-- the menu (and its overlay code) in its own chunk, loaded a moment after the page: not on the way to it
           (on idle would be too soon: a page waiting for the network is idle) -->
      @defer (on timer(1500ms)) {
        <button mat-button [matMenuTriggerFor]="account" data-testid="account-menu">{{ auth.user()?.displayName || auth.user()?.email }}</button>
        <mat-menu #account="matMenu" xPosition="before">
          <div class="who" mat-menu-item disabled>
            {{ auth.user()?.email }} · {{ auth.user()?.role }}
          </div>
          <a mat-menu-item routerLink="/change-password">Change password</a>
          <button mat-menu-item type="button" (click)="logout()" data-testid="logout">Log out</button>
        </mat-menu>
      } @placeholder {
        <button mat-button type="button" disabled>{{ auth.user()?.displayName || auth.user()?.email }}</button>
      }
    </mat-toolbar>
    <main class="page"><router-outlet /></main>
  `,
  styles: `
    .topbar { position: sticky; top: 0; z-index: 10; gap: 0.5rem; background: var(--mat-sys-surface);
      border-bottom: 1px solid var(--mat-sys-outline-variant); --mat-toolbar-standard-height: 56px; }
    .brand { font: var(--mat-sys-title-large); color: var(--mat-sys-on-surface); text-decoration: none; margin-right: 1rem; }
    .logo { color: var(--mat-sys-primary); }
    .nav { display: flex; gap: 0.25rem; }
    .nav .active { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .conn { display: inline-flex; align-items: center; gap: 0.4rem; font: var(--mat-sys-body-medium); color: var(--mat-sys-on-surface-variant); }
    .dot { width: 0.55rem; height: 0.55rem; border-radius: 50%; background: var(--warn); }
    .conn[data-status='open'] .dot { background: var(--ok); }
    .conn[data-status='closed'] .dot { background: var(--bad); }
    .who { font: var(--mat-sys-body-small); }
    .page { padding: 1.25rem; max-width: 1400px; margin: 0 auto; }
  `,
})
export class ShellComponent {
  protected readonly auth = inject(AuthService);
  private readonly connection = inject(ProctorConnection);
  protected readonly status = this.connection.status;
  protected readonly label = computed(() => ({ open: 'Connected', connecting: 'Connecting…', closed: 'Reconnecting…' })[this.status()]);

  constructor() {
    effect(() => (this.auth.ready() ? this.connection.open() : this.connection.close()));
    // A socket refused with 1008 may mean the session is gone: ask the server (a 401 leads to the login page).
    this.connection.refused$.pipe(takeUntilDestroyed()).subscribe(() => void this.auth.check(true).catch(() => undefined));
    inject(DestroyRef).onDestroy(() => this.connection.close());
  }

  protected logout(): void {
    void this.auth.logout();
  }
}
