import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiExampleResponse } from '../common/http/api-example';
import { Roles } from '../common/http/principal';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { AuditQueryDto } from './audit-query.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiErrors()
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'The append-only audit log of every write, newest first (admin)' })
  @ApiExampleResponse(200, {
    items: [{ id: 124, at: '2026-01-05T09:00:00.000Z', keyId: null, organizationId: null, action: 'load', targetType: 'scenario', targetId: 'notpetya-2017', details: { entities: 10274, dependencies: 34649, reports: 118, weaponId: 'notpetya' } }],
    nextCursor: 'WyJhdWRpdCIsMTI0XQ',
  })
  list(@Query() query: AuditQueryDto) {
    return this.audit.list(query);
  }
}
