import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiOkResponse({ description: '{items, nextCursor}' })
  list(@Query() query: AuditQueryDto) {
    return this.audit.list(query);
  }
}
