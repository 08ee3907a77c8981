/**
 * The review player's {@link RecordingSource} over the control API, through Angular's
 * HttpClient (the session cookie goes along; a 401 sends the user to the login page).
 */
import { HttpErrorResponse } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';
import { describeHttpError } from '../core/http-error';
import type { ProctorApi } from '../core/proctor-api';
import type { RecordingSource } from './review-player';

/**
 * `GET /api/recordings/:streamId/index` and `…/files/:file`.
 *
 * A read past byte 0 (the growing newest segment) asks for `Range: bytes=<fromByte − 1>-`,
 * one byte it already has, and drops it: a range that starts at the file's end is
 * unsatisfiable, and the server's files route (Express `res.sendFile` with a callback)
 * never answers a 416, so the request would hang. Starting one byte early is always
 * satisfiable and says "nothing new" as a 1-byte 206.
 */
export function httpRecordingSource(api: ProctorApi, streamId: string): RecordingSource {
  return {
    index: (fromMs) => firstValueFrom(api.recordingIndex(streamId, fromMs)).catch((err: unknown) => Promise.reject(asError(err))),
    async file(name, fromByte) {
      const start = Math.max(0, fromByte - 1);
      try {
        const res = await firstValueFrom(api.recordingFile(streamId, name, start));
        const body = new Uint8Array(res.body ?? new ArrayBuffer(0));
        if (fromByte === 0) return body;
        // 206: from `start`; 200 (a server that ignores Range): the whole file
        return res.status === 206 ? body.subarray(fromByte - start) : body.subarray(fromByte);
      } catch (err) {
        if (err instanceof HttpErrorResponse && err.status === 416) return new Uint8Array(0);
        throw asError(err);
      }
    },
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(describeHttpError(err));
}
