import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { MatTabsModule } from '@angular/material/tabs';

/** `/admin`: tabs for the admin pages (lazy chunk, admins only). */
@Component({
  selector: 'vigil-admin-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatTabsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nav mat-tab-nav-bar mat-stretch-tabs="false" mat-align-tabs="start" [tabPanel]="panel" class="tabs" aria-label="Admin pages">
      @for (t of tabs; track t.path) {
        <a mat-tab-link [routerLink]="t.path" routerLinkActive #rla="routerLinkActive" [active]="rla.isActive" [attr.data-testid]="'admin-tab-' + t.path">
          {{ t.label }}
        </a>
      }
    </nav>
    <mat-tab-nav-panel #panel class="panel"><router-outlet /></mat-tab-nav-panel>
  `,
  styles: `
    .tabs { margin: -0.5rem 0 1.25rem; }
    .panel { display: block; }
  `,
})
export class AdminShellComponent {
  protected readonly tabs = [
    { path: 'exams', label: 'Exams & seats' },
    { path: 'users', label: 'Accounts' },
    { path: 'api-keys', label: 'API keys' },
    { path: 'audit', label: 'Audit log' },
  ];
}
