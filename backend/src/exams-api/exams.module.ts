import { Module } from '@nestjs/common';
import { ExamsController } from './exams.controller';
import { ExamsService } from './exams.service';
import { ExamWindowService } from './exam-window.service';

/** Exams, proctor assignments, exam-wide live control, the end of the exam window. */
@Module({ controllers: [ExamsController], providers: [ExamsService, ExamWindowService] })
export class ExamsModule {}
