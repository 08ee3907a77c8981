import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';

/**
 * "Not found": an unknown page, or an exam or stream the user may not see.
 * The server answers 404 for both (ids cannot be probed), so the portal says
 * the same for both.
 */
@Component({
  selector: 'vigil-not-found',
  imports: [RouterLink, MatCardModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined" class="nf" data-testid="not-found">
      <mat-card-header>
        <mat-card-title>{{ title() }}</mat-card-title>
      </mat-card-header>
      <mat-card-content>
        <p>{{ detail() }}</p>
      </mat-card-content>
      <mat-card-actions>
        <a mat-flat-button routerLink="/exams">Back to my exams</a>
      </mat-card-actions>
    </mat-card>
  `,
  styles: `
    .nf { max-width: 560px; margin: 2rem auto; }
    p { color: var(--mat-sys-on-surface-variant); margin-top: 0.5rem; }
  `,
})
export class NotFoundComponent {
  readonly title = input('Not found');
  readonly detail = input('This page does not exist, or it belongs to an exam you are not assigned to.');
}
