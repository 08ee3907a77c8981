import { Module } from '@nestjs/common';
import { RelayModule } from '../relay-nest/relay.module';
import { ExamsController } from './exams.controller';
import { ExamsService } from './exams.service';
import { ExamWindowService } from './exam-window.service';

/** Exams, proctor assignments, exam-wide live control, the end of the exam window. */
@Module({ imports: [RelayModule], controllers: [ExamsController], providers: [ExamsService, ExamWindowService] })
export class ExamsModule {}
