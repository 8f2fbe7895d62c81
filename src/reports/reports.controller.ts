import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiExampleResponse, ApiPathExample, DEMO } from '../common/http/api-example';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { IdempotencyClaim, Idempotent } from '../common/idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../common/idempotency/idempotency.service';
import { bulkRows, CSV_COLUMNS } from './bulk-input';
import { CreateReportDto, ListReportsQueryDto } from './dto/report.dto';
import { ReportsService } from './reports.service';
import { ReportWriter } from './report-writer';
import { BULK_RESULT, REPORT_CREATED, REPORT_DETAIL, REPORT_PAGE } from './dto/examples';

/** Every authenticated role reads (within TLP); responders write for their own organisation; admins everything. */
const READERS = ['responder', 'analyst', 'researcher'] as const;

@ApiTags('reports')
@ApiErrors()
@Controller('v1/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly writer: ReportWriter,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('responder')
  @Idempotent()
  @ApiOperation({ summary: 'File one spread report (responders: own organisation only)' })
  @ApiExampleResponse(201, REPORT_CREATED, 'the stored report, with `warnings` (e.g. observedAt well before the weapon\'s first sighting)')
  create(@Body() body: CreateReportDto, @CurrentPrincipal() principal: Principal, @IdempotencyClaim() claim: IdempotencyContext | null) {
    return this.writer.create(body, principal, claim);
  }

  @Post('bulk')
  @HttpCode(201)
  @Roles('responder')
  @Idempotent()
  @ApiOperation({
    summary: 'File up to 10,000 reports at once, all or nothing',
    description: `A JSON array of reports, or text/csv with a header row of columns among: ${CSV_COLUMNS.join(', ')}. ` +
      'Every bad row is listed (`row` is 1-based; for CSV it is the file record number, the header being 1); nothing is written unless every row is valid.',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    type: [CreateReportDto],
    examples: {
      json: {
        summary: 'two reports (a CSV body has the same columns)',
        value: [
          { weaponId: 'notpetya', entityId: 'merck', observedAt: '2017-06-27T13:10:00Z', status: 'confirmed', tlp: 'clear' },
          { weaponId: 'notpetya', entityId: 'maersk', observedAt: '2017-06-27T13:20:00Z', status: 'suspected', tlp: 'green', confidence: 60 },
        ],
      },
    },
  })
  @ApiExampleResponse(201, BULK_RESULT, '{created, ids, entitiesCreated, warnings}')
  bulk(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @IdempotencyClaim() claim: IdempotencyContext | null,
  ) {
    const { rows, rowOffset } = bulkRows(body, contentType);
    return this.writer.bulk(rows, principal, claim, rowOffset);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'List the current reports the caller may see (TLP), newest observation first' })
  @ApiExampleResponse(200, REPORT_PAGE, '{items, nextCursor}; an `If-None-Match` with the page\'s ETag answers 304')
  async list(@Query() query: ListReportsQueryDto, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    // Pages are cached serialised, with their ETag (ReportsService.listPage): sent as they are.
    const page = await this.reports.listPage(query, principal);
    res.set({ 'Content-Type': 'application/json; charset=utf-8', ETag: page.etag }).send(page.body);
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'One report with its chain of versions (404 when absent or not visible under TLP)' })
  @ApiPathExample('id', DEMO.reportId, 'report id (UUID)')
  @ApiExampleResponse(200, REPORT_DETAIL, 'the report, `current`, `supersededBy`, `currentId` and `chain` (oldest first)')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.reports.get(id, principal);
  }
}
