import { Controller, Get, Header, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ID_EXAMPLE } from '../assessments/assessments.controller';
import { uuidPipe } from '../jobs/jobs.service';
import { ApiExampleResponse, ApiPathExample, DEMO } from '../common/http/api-example';
import { ASSESSMENT_SERIES, COUNTERFACTUAL, COUNTERFACTUAL_RUNNING, EXCEEDANCE, EXCEEDANCE_CSV } from './dto/examples';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ErrorResponseDto } from '../common/errors/error-response';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { DecisionsService } from './decisions.service';
import { CounterfactualsService } from './counterfactuals.service';
import { BriefingQueryDto, CounterfactualQueryDto, ExceedanceQueryDto, SeriesQueryDto } from './dto/decisions-query.dto';
import { briefingHtml, briefingPdf, tlpLabel } from './briefing';
import { exceedanceCsv } from './exceedance';

/** The readers of assessments (admins may call every route). */
const READERS = ['analyst', 'researcher'] as const;

@ApiTags('decisions')
@ApiErrors()
@Controller('v1')
export class DecisionsController {
  constructor(
    private readonly decisions: DecisionsService,
    private readonly counterfactuals: CounterfactualsService,
  ) {}

  @Get('assessments/:id/exceedance')
  @Roles(...READERS)
  @ApiOperation({ summary: 'P(loss > x) of collateral and total loss over the weighted runs, each point with its 95% Monte Carlo interval; thresholdUsd: that probability said as "about 1 in N"' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, EXCEEDANCE, 'per part (collateral, total) the curve\'s points, each P(loss > thresholdUsd) with its interval')
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'a result stored without per-run losses' })
  async exceedance(@Param('id', uuidPipe) id: string, @Query() query: ExceedanceQueryDto) {
    return { assessmentId: id, curves: await this.decisions.exceedance(id, query.part, query.thresholdUsd) };
  }

  @Get('assessments/:id/counterfactual')
  @Roles(...READERS)
  @ApiOperation({
    summary:
      'What a variant that changes one thing would have avoided (norms 13(f)/13(k) honoured, sectors spared, a kill switch, containment, patches, a dependency kind cut): paired ranges over the assessment\'s runs, on common random numbers. Computed as a job off the request thread: 202 with Location (this URL) and Retry-After while it runs; poll until 200',
  })
  @ID_EXAMPLE
  @ApiExampleResponse(200, COUNTERFACTUAL, 'the variant, and per figure the baseline, the counterfactual and the avoided damage as paired ranges')
  @ApiExampleResponse(202, COUNTERFACTUAL_RUNNING, '{status: queued|running, progress}: ask again at Location')
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'the assessment is not done, or its inputs changed since it ran' })
  async counterfactual(@Param('id', uuidPipe) id: string, @Query() query: CounterfactualQueryDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const answer = await this.counterfactuals.request(id, query);
    if (answer.status === 'done') return answer.body;
    res.status(202).set({ Location: req.originalUrl, 'Retry-After': '2', 'Cache-Control': 'no-store' });
    return { assessmentId: id, status: answer.status, progress: answer.progress };
  }

  @Get('assessments/:id/exceedance.csv')
  @Roles(...READERS)
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The exceedance curves as CSV: part, thresholdUsd, probability, low, high' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, EXCEEDANCE_CSV, 'CSV with a header row')
  async exceedanceCsv(@Param('id', uuidPipe) id: string, @Query() query: ExceedanceQueryDto) {
    return exceedanceCsv(await this.decisions.exceedance(id, query.part, undefined));
  }

  @Get('weapons/:weaponId/assessment-series')
  @Roles(...READERS)
  @ApiOperation({ summary: "A weapon's finished assessments in asOf order with their headline ranges: how the estimate moved as evidence came in" })
  @ApiPathExample('weaponId', DEMO.weaponId, 'weapon id (slug)')
  @ApiExampleResponse(200, ASSESSMENT_SERIES, '{weaponId, total, items}: each assessment\'s asOf, inputs and headline')
  series(@Param('weaponId') weaponId: string, @Query() query: SeriesQueryDto, @CurrentPrincipal() reader: Principal) {
    return this.decisions.series(weaponId, query.limit, reader);
  }

  @Get('assessments/:id/briefing.pdf')
  @Roles(...READERS)
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'A TLP-marked briefing (PDF, A4, at most 4 pages plus an annex): headline ranges, protected infrastructure at risk, large-loss odds, the method in plain words. tlp: a stricter marking than the evidence' })
  @ID_EXAMPLE
  @ApiOkResponse({ description: 'the PDF; its marking also in the X-TLP header', schema: { type: 'string', format: 'binary' } })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  async briefingPdf(@Param('id', uuidPipe) id: string, @Query() query: BriefingQueryDto, @CurrentPrincipal() reader: Principal, @Res() res: Response) {
    const content = await this.decisions.briefing(id, reader, query.tlp);
    const pdf = await briefingPdf(content);
    res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="briefing-${id}.pdf"`, 'X-TLP': tlpLabel(content.tlp), 'Cache-Control': 'no-store' }).send(pdf);
  }

  @Get('assessments/:id/briefing.html')
  @Roles(...READERS)
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The same briefing as one standalone HTML page (no script)' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TLP:AMBER Briefing: NotPetya</title>...</html>', 'one HTML page; its marking also in the X-TLP header')
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  async briefingHtml(@Param('id', uuidPipe) id: string, @Query() query: BriefingQueryDto, @CurrentPrincipal() reader: Principal, @Res() res: Response) {
    const content = await this.decisions.briefing(id, reader, query.tlp);
    res.set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'", 'X-TLP': tlpLabel(content.tlp), 'Cache-Control': 'no-store' }).send(briefingHtml(content));
  }
}
