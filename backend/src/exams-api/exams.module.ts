import { Module } from '@nestjs/common';
import { ExamsController } from './exams.controller';
import { ExamsService } from './exams.service';

/** Exams, proctor assignments, exam-wide live control. */
@Module({ controllers: [ExamsController], providers: [ExamsService] })
export class ExamsModule {}
