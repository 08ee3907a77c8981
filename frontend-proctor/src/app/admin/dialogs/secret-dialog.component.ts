import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Clipboard } from '@angular/cdk/clipboard';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';

/** A secret the server shows once. */
export interface SecretData {
  title: string;
  /** What it is and what to do with it. */
  intro: string;
  secret: string;
}

/**
 * Shows a one-time password or an API key once, with a copy button. The
 * server keeps only a hash: closing the dialog is the last chance to copy it.
 * Closing needs an explicit click (no backdrop or Escape).
 */
@Component({
  selector: 'vigil-secret-dialog',
  imports: [MatDialogModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      <p>{{ data.intro }}</p>
      <p class="secret" data-testid="secret-value">{{ data.secret }}</p>
      <p class="warning">It is shown only this once: the server keeps only a hash of it.</p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-stroked-button type="button" (click)="copy()" data-testid="copy-secret">{{ copied() ? 'Copied' : 'Copy' }}</button>
      <button mat-flat-button type="button" mat-dialog-close data-testid="close-secret">Done</button>
    </mat-dialog-actions>
  `,
  styles: `
    .warning { color: var(--mat-sys-error); font: var(--mat-sys-body-medium); margin-bottom: 0; }
  `,
})
export class SecretDialogComponent {
  protected readonly data = inject<SecretData>(MAT_DIALOG_DATA);
  private readonly clipboard = inject(Clipboard);
  protected readonly copied = signal(false);

  protected copy(): void {
    this.copied.set(this.clipboard.copy(this.data.secret));
  }
}

/** Shows a secret once; resolves when the dialog is closed. */
export async function showSecret(dialog: MatDialog, data: SecretData): Promise<void> {
  const ref = dialog.open(SecretDialogComponent, { data, width: '520px', disableClose: true });
  await firstValueFrom(ref.afterClosed());
}
