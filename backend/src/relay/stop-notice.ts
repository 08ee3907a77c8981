import type { StopMessage, StopReason } from '@vigil/protocol';

const TEXT: Readonly<Record<StopReason, string>> = {
  admin: 'The exam staff ended this screen recording. Recording has stopped; ask them if you think this is a mistake.',
  'exam-over': 'The exam window has closed. Screen recording has stopped.',
  'seat-revoked': "This seat's access was revoked by the exam staff. Screen recording has stopped; ask them for the seat's new link.",
  'seat-deleted': 'This seat was removed from the exam. Screen recording has stopped; ask the exam staff.',
  'exam-deleted': 'This exam was deleted. Screen recording has stopped; ask the exam staff.',
};

/**
 * The `stop` message (libs/protocol README, server -> Sentinel) the relay sends when the
 * server ends a stream for `reason`: a fixed text for the student's screen, optionally
 * followed by `detail` (e.g. when the exam window closed). Pure.
 */
export function stopNotice(reason: StopReason, detail?: string): StopMessage {
  return { type: 'stop', reason, message: detail ? `${TEXT[reason]} (${detail})` : TEXT[reason] };
}
