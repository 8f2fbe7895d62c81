import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { uuidPipe } from '../assessments/assessments.controller';
import { CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { ErrorResponseDto } from '../common/errors/error-response';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { DecisionsService } from './decisions.service';
import { ExceedanceQueryDto, SeriesQueryDto } from './dto/decisions-query.dto';
import { exceedanceCsv } from './exceedance';

/** The readers of assessments (admins may call every route). */
const READERS = ['analyst', 'researcher'] as const;

@ApiTags('decisions')
@ApiErrors()
@Controller('v1')
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @Get('assessments/:id/exceedance')
  @Roles(...READERS)
  @ApiOperation({ summary: 'P(loss > x) of collateral and total loss over the weighted runs, each point with its 95% Monte Carlo interval; thresholdUsd: that probability said as "about 1 in N"' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'a result stored without per-run losses' })
  async exceedance(@Param('id', uuidPipe) id: string, @Query() query: ExceedanceQueryDto) {
    return { assessmentId: id, curves: await this.decisions.exceedance(id, query.part, query.thresholdUsd) };
  }

  @Get('assessments/:id/exceedance.csv')
  @Roles(...READERS)
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The exceedance curves as CSV: part, thresholdUsd, probability, low, high' })
  @ApiOkResponse({ description: 'CSV with a header row' })
  async exceedanceCsv(@Param('id', uuidPipe) id: string, @Query() query: ExceedanceQueryDto) {
    return exceedanceCsv(await this.decisions.exceedance(id, query.part, undefined));
  }

  @Get('weapons/:weaponId/assessment-series')
  @Roles(...READERS)
  @ApiOperation({ summary: "A weapon's finished assessments in asOf order with their headline ranges: how the estimate moved as evidence came in" })
  series(@Param('weaponId') weaponId: string, @Query() query: SeriesQueryDto, @CurrentPrincipal() reader: Principal) {
    return this.decisions.series(weaponId, query.limit, reader);
  }
}
