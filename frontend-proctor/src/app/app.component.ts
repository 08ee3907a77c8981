import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink, RouterOutlet } from '@angular/router';
import { ProctorConnection } from './core/proctor-connection';

/** Shell: header with the connection indicator, and the routed view. */
@Component({
  selector: 'vigil-root',
  imports: [RouterOutlet, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="topbar">
      <a class="brand" routerLink="/"><span class="logo" aria-hidden="true">◉</span> Vigil <span class="muted">Proctor</span></a>
      <span class="conn" [attr.data-status]="status()" data-testid="connection" [title]="'WebSocket /ws/proctor: ' + status()">
        <span class="dot"></span>{{ label() }}
      </span>
    </header>
    <main class="page"><router-outlet /></main>
  `,
  styles: `
    .topbar { display: flex; align-items: center; justify-content: space-between; padding: 0.6rem 1.25rem;
      background: var(--surface); border-bottom: 1px solid var(--border); }
    .brand { font-weight: 650; font-size: 1.1rem; color: var(--text); text-decoration: none; }
    .logo { color: var(--accent); }
    .conn { display: inline-flex; align-items: center; gap: 0.4rem; font-size: 0.85rem; color: var(--muted); }
    .dot { width: 0.55rem; height: 0.55rem; border-radius: 50%; background: var(--warn); }
    .conn[data-status='open'] .dot { background: var(--ok); }
    .conn[data-status='closed'] .dot { background: var(--bad); }
    .page { padding: 1.25rem; max-width: 1400px; margin: 0 auto; }
  `,
})
export class AppComponent {
  protected readonly status = inject(ProctorConnection).status;
  protected readonly label = computed(() => ({ open: 'Connected', connecting: 'Connecting…', closed: 'Reconnecting…' })[this.status()]);
}
