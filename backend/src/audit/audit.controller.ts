import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/decorators';
import { AuditService } from './audit.service';
import { AuditEntryView, AuditQueryDto } from './audit.dto';

/** The audit log, read-only, for admins. */
@ApiTags('audit')
@Controller('api/audit')
@Access('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Audit entries, newest first (admin)' })
  list(@Query() query: AuditQueryDto): Promise<AuditEntryView[]> {
    return this.audit.list({ limit: query.limit ?? 100, beforeId: query.beforeId, action: query.action, targetId: query.targetId });
  }
}
