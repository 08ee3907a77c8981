/** Proctor-to-exam assignments: what to send when the chosen exams change. Pure. */

/**
 * The exams to assign and to unassign to go from `before` to `after`.
 * Only exams in `known` are touched (an assignment to an exam deleted in
 * the meantime is left to the server).
 */
export function assignmentChanges(
  before: readonly string[],
  after: readonly string[],
  known: readonly string[],
): { assign: string[]; unassign: string[] } {
  const had = new Set(before);
  const has = new Set(after);
  const exists = new Set(known);
  return {
    assign: [...has].filter((id) => !had.has(id) && exists.has(id)).sort(),
    unassign: [...had].filter((id) => !has.has(id) && exists.has(id)).sort(),
  };
}

/** Names of the exams `ids` refers to, in the order of `exams`; unknown ids are skipped. */
export function examNames(ids: readonly string[], exams: readonly { id: string; name: string }[]): string[] {
  const wanted = new Set(ids);
  return exams.filter((e) => wanted.has(e.id)).map((e) => e.name);
}
