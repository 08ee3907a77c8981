import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { AlertView } from '@vigil/api';

/** The alert routes of the control API (docs/control-api.md "alerts"). */
@Injectable({ providedIn: 'root' })
export class AlertsApi {
  private readonly http = inject(HttpClient);

  /** The exam's alerts, newest first; `open`: only those not yet acknowledged. */
  list(examId: string, open: boolean): Observable<AlertView[]> {
    return this.http.get<AlertView[]>(`/api/exams/${encodeURIComponent(examId)}/alerts${open ? '?open=true' : ''}`);
  }

  /** Acknowledges an alert with a note (≤ 500 characters). */
  acknowledge(alertId: number, note: string): Observable<AlertView> {
    return this.http.post<AlertView>(`/api/alerts/${alertId}/ack`, { note });
  }
}

const ALERT_KIND_LABELS: Record<AlertView['kind'], string> = {
  disconnected: 'Disconnected',
  'storage-failed': 'Recording failing',
  'clock-skew': 'Kiosk clock off',
  'capture-stopped': 'Screen sharing stopped',
  'screen-blank': 'Screen blank',
  'screen-frozen': 'Screen unchanged',
  'screen-changed': 'Screen changed',
};

/** "Disconnected", "Recording failing", "Kiosk clock off", "Screen blank", … */
export function alertKindLabel(kind: AlertView['kind']): string {
  return ALERT_KIND_LABELS[kind];
}
