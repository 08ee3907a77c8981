import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentActor } from '../auth/decorators';
import type { Actor } from '../auth/principal';
import { SetFpsDto } from '../streams-api/set-fps.dto';
import { UserView } from '../users-api/users.dto';
import { CreateExamDto, ExamFpsView, ExamView, StreamRecordView, UpdateExamDto } from './exams.dto';
import { ExamsService } from './exams.service';

/** Exams: proctors read the ones they are assigned to; admins manage all. */
@ApiTags('exams')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api/exams')
export class ExamsController {
  constructor(private readonly exams: ExamsService) {}

  @Get()
  @Access('proctor')
  @ApiOperation({ summary: 'Exams: assigned ones for proctors, all for admins' })
  list(@CurrentActor() actor: Actor): Promise<ExamView[]> {
    return this.exams.list(actor);
  }

  @Post()
  @Access('admin')
  @ApiOperation({ summary: 'Create an exam (admin)' })
  create(@CurrentActor() actor: Actor, @Body() body: CreateExamDto): Promise<ExamView> {
    return this.exams.create(actor, body);
  }

  @Get(':examId')
  @Access('proctor')
  @ApiOperation({ summary: 'One exam (its proctors, admins)' })
  get(@CurrentActor() actor: Actor, @Param('examId') examId: string): Promise<ExamView> {
    return this.exams.get(actor, examId);
  }

  @Patch(':examId')
  @Access('admin')
  @ApiOperation({ summary: 'Change an exam; moving endsAtMs moves seat-token expiry (admin)' })
  update(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Body() body: UpdateExamDto): Promise<ExamView> {
    return this.exams.update(actor, examId, body);
  }

  @Delete(':examId')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: 'Delete an exam with its seats and assignments; live streams end; recordings stay (admin)' })
  async remove(@CurrentActor() actor: Actor, @Param('examId') examId: string): Promise<void> {
    await this.exams.remove(actor, examId);
  }

  @Put(':examId/fps')
  @Access('admin')
  @ApiOperation({ summary: 'Set the frame rate of every stream of the exam now (admin)' })
  setFps(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Body() body: SetFpsDto): Promise<ExamFpsView> {
    return this.exams.setFps(actor, examId, body.fps);
  }

  @Get(':examId/streams')
  @Access('proctor')
  @ApiOperation({ summary: 'Every stream ever started for the exam, newest first (its proctors, admins)' })
  streams(@CurrentActor() actor: Actor, @Param('examId') examId: string): Promise<StreamRecordView[]> {
    return this.exams.streams(actor, examId);
  }

  @Get(':examId/proctors')
  @Access('admin')
  @ApiOperation({ summary: 'Proctors assigned to the exam (admin)' })
  proctors(@CurrentActor() actor: Actor, @Param('examId') examId: string): Promise<UserView[]> {
    return this.exams.proctors(actor, examId);
  }

  @Put(':examId/proctors/:userId')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: 'Assign a proctor to the exam (admin, idempotent)' })
  async assign(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Param('userId') userId: string): Promise<void> {
    await this.exams.assign(actor, examId, userId);
  }

  @Delete(':examId/proctors/:userId')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: 'Remove a proctor from the exam (admin, idempotent)' })
  async unassign(@CurrentActor() actor: Actor, @Param('examId') examId: string, @Param('userId') userId: string): Promise<void> {
    await this.exams.unassign(actor, examId, userId);
  }
}
