import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { firstValueFrom } from 'rxjs';
import { ProctorApi } from '../core/proctor-api';
import { describeHttpError } from '../core/http-error';
import { FPS_CHOICES, formatFps } from '../core/format';
import { confirmAction } from '../admin/dialogs/confirm-dialog.component';

/**
 * Live control of one stream (docs/control-api.md, "Live streams"): every proctor may ask
 * for a keyframe; admins also set the frame rate and end the stream (after a confirmation:
 * the Sentinel stops capturing and does not come back). Results and refusals go to a snack bar.
 */
@Component({
  selector: 'vigil-stream-controls',
  imports: [MatButtonModule, MatButtonToggleModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="row">
      <button mat-stroked-button type="button" (click)="keyframe()" [disabled]="busy() || !live()" data-testid="request-keyframe"
        title="Ask the Sentinel for a full picture (IDR frame) now">Request keyframe</button>
      @if (admin()) {
        <mat-button-toggle-group [value]="fps()" (change)="setFps($event.value)" [disabled]="busy() || ended()"
          aria-label="Frame rate" data-testid="fps-choice" hideSingleSelectionIndicator>
          @for (f of choices; track f) {
            <mat-button-toggle [value]="f" [attr.data-fps]="f">{{ label(f) }}</mat-button-toggle>
          }
        </mat-button-toggle-group>
        <button mat-flat-button type="button" class="danger" (click)="end()" [disabled]="busy() || ended()" data-testid="end-stream">
          End recording
        </button>
      }
    </div>
  `,
  styles: `
    .row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
    mat-button-toggle-group { --mat-standard-button-toggle-height: 36px; }
    .danger { margin-left: auto; --mat-button-filled-container-color: var(--mat-sys-error); --mat-button-filled-label-text-color: var(--mat-sys-on-error); }
  `,
})
export class StreamControlsComponent {
  readonly streamId = input.required<string>();
  /** Current frame rate of the stream, fps (selects the matching choice). */
  readonly fps = input<number | null>(null);
  /** A Sentinel is connected (a keyframe can be asked for). */
  readonly live = input(false);
  /** The stream has ended: nothing to control. */
  readonly ended = input(false);
  /** Show the admin-only controls (frame rate, end). */
  readonly admin = input(false);

  private readonly api = inject(ProctorApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  protected readonly busy = signal(false);
  protected readonly choices = FPS_CHOICES;
  protected readonly label = formatFps;

  protected keyframe(): Promise<void> {
    return this.run(() => firstValueFrom(this.api.requestKeyframe(this.streamId())), () => 'Keyframe requested.');
  }

  protected setFps(fps: number): Promise<void> {
    return this.run(
      () => firstValueFrom(this.api.setFps(this.streamId(), fps)),
      (r) => (r.applied ? `Frame rate set to ${formatFps(r.fps)}.` : `Frame rate ${formatFps(r.fps)} applies when the Sentinel reconnects.`),
    );
  }

  protected async end(): Promise<void> {
    const ok = await confirmAction(this.dialog, {
      title: 'End this recording?',
      message:
        'The Sentinel stops capturing and tells the student that the exam staff ended the recording. What was recorded is kept.\n' +
        'It starts again only if the kiosk page is reloaded; revoke the seat\'s token to prevent that.',
      confirm: 'End recording',
    });
    if (!ok) return;
    await this.run(() => firstValueFrom(this.api.endStream(this.streamId())), () => 'Recording ended; the Sentinel has stopped.');
  }

  private async run<T>(call: () => Promise<T>, done: (result: T) => string): Promise<void> {
    this.busy.set(true);
    try {
      this.snackBar.open(done(await call()), 'OK', { duration: 4000 });
    } catch (err) {
      this.snackBar.open(describeHttpError(err), 'OK', { duration: 8000 });
    } finally {
      this.busy.set(false);
    }
  }
}
