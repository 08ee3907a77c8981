/**
 * Every action the server writes to the audit log (`GET /api/audit`, docs/control-api.md):
 * the server's `AuditService.record` takes only these, and the portal offers them as filters.
 */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login-failed',
  'auth.logout',
  'auth.password-change',
  'user.create',
  'user.update',
  'user.delete',
  'user.reset-password',
  'exam.create',
  'exam.update',
  'exam.delete',
  'exam.fps',
  'exam.proctor-assign',
  'exam.proctor-unassign',
  'seat.create',
  'seat.update',
  'seat.delete',
  'seat.import',
  'seat.revoke-token',
  'seat.export-urls',
  'stream.keyframe',
  'stream.fps',
  'stream.end',
  'recording.delete',
  'recording.share',
  'recording.share.use',
  'recording.event',
  'alert.ack',
  'api-key.create',
  'api-key.revoke',
] as const;

/** One audit action, e.g. `'seat.import'`. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
