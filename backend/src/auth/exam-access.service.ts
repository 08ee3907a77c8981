import { Injectable, NotFoundException } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { DatabaseService } from '../db/database.service';
import type { ExamRow } from '../db/database.types';
import type { Principal } from './principal';

/** Which exams a caller may see: every exam (admins) or the assigned ones (proctors). */
export type ExamScope = { readonly all: true } | { readonly all: false; readonly examIds: ReadonlySet<string> };

/** True when the scope covers the exam. */
export function scopeCovers(scope: ExamScope, examId: string): boolean {
  return scope.all || scope.examIds.has(examId);
}

/**
 * Exam-level authorisation for proctors. Anything of an exam outside the caller's scope
 * answers exactly like a missing thing (404), so ids of other exams cannot be probed.
 */
@Injectable()
export class ExamAccessService {
  private readonly changes = new Subject<string>();
  /**
   * User ids whose access just shrank or ended (unassigned, disabled, deleted, demoted,
   * logged out, password reset): long-lived connections of those users re-check at once.
   */
  readonly changed$: Observable<string> = this.changes.asObservable();

  constructor(private readonly database: DatabaseService) {}

  /** Announces that a user's access shrank or ended (see {@link changed$}). */
  notifyChanged(userId: string): void {
    this.changes.next(userId);
  }

  async scope(principal: Principal): Promise<ExamScope> {
    if (principal.role === 'admin') return { all: true };
    const rows = await this.database.db.selectFrom('examProctors').select('examId').where('userId', '=', principal.userId).execute();
    return { all: false, examIds: new Set(rows.map((r) => r.examId)) };
  }

  /**
   * The exam, when it exists and the caller may see it.
   * @throws NotFoundException otherwise (the same answer for both)
   */
  async requireExam(principal: Principal, examId: string): Promise<ExamRow> {
    const exam = await this.database.db.selectFrom('exams').selectAll().where('id', '=', examId).executeTakeFirst();
    if (!exam || !scopeCovers(await this.scope(principal), examId)) throw examNotFound(examId);
    return exam;
  }
}

/** The 404 for an exam that is missing or not the caller's. */
export function examNotFound(examId: string): NotFoundException {
  return new NotFoundException(`no exam ${examId.slice(0, 40)}; GET /api/exams lists yours`);
}
