import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiConflictResponse, ApiOperation, ApiProduces, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { invalid } from '../common/errors/domain-error';
import { ErrorResponseDto } from '../common/errors/error-response';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ApiExampleResponse, ApiPathExample, DEMO } from '../common/http/api-example';
import { parseLevels } from '../graph/hierarchy';
import { AssessmentsService } from './assessments.service';
import { uuidPipe } from '../jobs/jobs.service';
import { EvidenceVersions } from '../reports/evidence-versions';
import { CachedPage, cachedPage, PageCache } from '../reports/page-cache';
import { sharedLevels } from '../tlp/policy';
import { EarlyWarningQueryDto, EntitiesQueryDto, ListAssessmentsQueryDto, MyEarlyWarningQueryDto, RollupQueryDto } from './dto/assessment-query.dto';
import { CreateAssessmentDto } from './dto/create-assessment.dto';
import {
  ASSESSMENT_CANCELLED, ASSESSMENT_DONE, ASSESSMENT_EARLY_WARNING, ASSESSMENT_ENTITIES, ASSESSMENT_PAGE, ASSESSMENT_QUEUED, ASSESSMENT_ROLLUP,
  ASSESSMENT_TIMELINE, MY_EARLY_WARNING, RUNS_CSV,
} from './dto/examples';
import { ResultsService } from '../results/results.service';
import type { RollupNode, RollupPart } from '../results/views';
import { CursorCodec } from '../common/http/pagination';

/** `collateral=true` or `intended=false`: the collateral part; `intended=true` or `collateral=false`: the intended part. */
function rollupPart(q: RollupQueryDto): RollupPart {
  const fromCollateral = q.collateral === undefined ? undefined : q.collateral ? 'collateral' : 'intended';
  const fromIntended = q.intended === undefined ? undefined : q.intended ? 'intended' : 'collateral';
  if (fromCollateral && fromIntended && fromCollateral !== fromIntended) {
    throw invalid('collateral and intended ask for different parts', [
      { field: 'intended', rule: 'consistent', message: 'give collateral=true or intended=true (one part), not both with opposite meanings' },
    ]);
  }
  return fromCollateral ?? fromIntended ?? 'total';
}

/** The rollup's page of organisations: how many of each group's (by expected loss) come before it. */
const ROLLUP_CURSOR = new CursorCodec('rollup-organizations', ['int'] as const);

/** Does a group of the rollup have organisations ranked after the page? */
function anyLeft(node: RollupNode): boolean {
  return (node.organizations?.left ?? 0) > 0 || (node.children ?? []).some(anyLeft);
}

/** The `id` of an assessment route, exemplified by the demo assessment. */
export const ID_EXAMPLE = ApiPathExample('id', DEMO.assessmentId, 'assessment id (UUID)');

/**
 * Assessments are read by analysts, researchers and admins; the same roles may start one
 * (responders file evidence, they do not spend the compute). Results are aggregates, the same
 * for every reader, except entity-level outputs, filtered by TLP (ResultsService).
 */
const READERS = ['analyst', 'researcher'] as const;

@ApiTags('assessments')
@ApiErrors()
@Controller('v1/assessments')
export class AssessmentsController {
  /** Serialised answers of GET /:id for finished assessments (see `get`). */
  private readonly pages = new PageCache(32 * 1024 * 1024);
  /** The weapon of each finished assessment answered, whose evidence version keys its answers. */
  private readonly weaponOf = new Map<string, string>();

  constructor(
    private readonly assessments: AssessmentsService,
    private readonly results: ResultsService,
    private readonly versions: EvidenceVersions,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles(...READERS)
  @ApiOperation({ summary: 'Start an assessment of a weapon: a job; poll GET /v1/assessments/:id for progress and the result' })
  @ApiExampleResponse(202, ASSESSMENT_QUEUED, 'the queued job, with its id and inputs (seed included)')
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'nothing reported for the weapon, or an unstable dependency matrix' })
  create(@Body() dto: CreateAssessmentDto, @CurrentPrincipal() actor: Principal) {
    return this.assessments.create(dto, actor);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'List assessments, newest first; each finished one with its headline figures (stored at finish)' })
  @ApiExampleResponse(200, ASSESSMENT_PAGE)
  list(@Query() query: ListAssessmentsQueryDto, @CurrentPrincipal() reader: Principal) {
    return this.assessments.list(query, reader);
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Status, progress 0..1, ETA, inputs, stale flag; when done, the summary as `result`' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, ASSESSMENT_DONE, 'the job; `result` once done')
  async get(@Param('id', uuidPipe) id: string, @CurrentPrincipal() reader: Principal, @Res() res: Response) {
    // Finished assessments are answered from serialised pages per audience (the TLP levels the
    // reader sees in other organisations' reports, and its organisation). A done job's row changes
    // only through new evidence for its weapon (the stale flag, set in the report-writing
    // transaction that bumps the weapon's evidence version), so a page is reused while that
    // version holds; the row it was made from is read after the version, never older than it.
    const levels = sharedLevels(reader);
    const key = `${id}\u0000${levels ? `${levels.join(',')}\u0000${reader.organizationId}` : 'all'}`;
    const send = (page: CachedPage) => void res.set({ 'Content-Type': 'application/json; charset=utf-8', ETag: page.etag }).send(page.body);
    const known = this.weaponOf.get(id);
    if (known !== undefined) {
      const cached = this.pages.get(key, await this.versions.current(known));
      if (cached) return send(cached);
    }
    const first = await this.assessments.status(id, reader);
    if (first.row.status !== 'done') return void res.json(first.view);
    const weaponId = first.row.weaponId ?? '';
    const version = await this.versions.current(weaponId);
    const { row, view } = await this.assessments.status(id, reader);
    const page = cachedPage({ ...view, result: await this.results.summary(row, reader) });
    if (this.weaponOf.size >= 10_000) this.weaponOf.clear();
    this.weaponOf.set(id, weaponId);
    this.pages.remember(key, version, page);
    send(page);
  }

  @Delete(':id')
  @HttpCode(200)
  @Roles(...READERS)
  @ApiOperation({ summary: 'Cancel a queued or running assessment' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, ASSESSMENT_CANCELLED, 'the cancelled job')
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'already finished' })
  cancel(@Param('id', uuidPipe) id: string, @CurrentPrincipal() actor: Principal) {
    return this.assessments.cancel(id, actor);
  }

  @Get(':id/entities')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Per-entity probability of infection and of disruption with intervals, expected loss, intended or collateral, reported or not' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, ASSESSMENT_ENTITIES)
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  async entities(@Param('id', uuidPipe) id: string, @Query() query: EntitiesQueryDto, @CurrentPrincipal() reader: Principal) {
    const row = await this.assessments.get(id);
    return { assessmentId: id, ...(await this.results.entities(row, reader, query)) };
  }

  @Get(':id/rollup')
  @Roles(...READERS)
  @ApiOperation({ summary: 'The hierarchy world > country > sector > organization (d3-hierarchy JSON): ranges of the per-run totals at the world and at every country and sector node (either nesting order, of the part asked for), expected values at organisations; children sum to parents. collateral=true or intended=true: that part only' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, ASSESSMENT_ROLLUP)
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  async rollup(@Param('id') id: string, @Query() query: RollupQueryDto, @CurrentPrincipal() reader: Principal) {
    // The cursor before the id: like every paginated route, a cursor it did not issue is a 400
    // naming `cursor`, whatever the path says.
    const [offset] = query.cursor === undefined ? [0] : ROLLUP_CURSOR.decode(query.cursor);
    await uuidPipe.transform(id, { type: 'param', data: 'id' });
    const { levels, error } = parseLevels(query.levels);
    if (error) throw invalid(error, [{ field: 'levels', rule: 'isIn', message: error }]);
    const part = rollupPart(query);
    const row = await this.assessments.get(id);
    const page = { limit: query.limit, offset };
    const root = await this.results.rollup(row, reader, levels, part, page);
    if (!levels.includes('organization')) return { assessmentId: id, levels, part, root };
    const next = page.offset + page.limit;
    return { assessmentId: id, levels, part, organizations: { limit: page.limit, nextCursor: anyLeft(root) ? ROLLUP_CURSOR.encode(next) : null }, root };
  }

  @Get(':id/timeline')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Cumulative infections over time with the band, and the count of reported entities beside' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, ASSESSMENT_TIMELINE)
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  async timeline(@Param('id', uuidPipe) id: string, @CurrentPrincipal() reader: Principal) {
    const row = await this.assessments.get(id);
    return { assessmentId: id, ...(await this.results.timeline(row, reader)) };
  }

  @Get(':id/early-warning')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Unreported entities ranked by the probability of infection within the window, each with its most likely path from a reported infection' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, ASSESSMENT_EARLY_WARNING)
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  async earlyWarning(@Param('id', uuidPipe) id: string, @Query() query: EarlyWarningQueryDto, @CurrentPrincipal() reader: Principal) {
    const row = await this.assessments.get(id);
    const only = query.mine ? await this.assessments.organisationEntities(reader.organizationId) : undefined;
    const { withinHours, limit, collateral } = query;
    return {
      assessmentId: id,
      asOf: row.input.asOf,
      ...(collateral !== undefined ? { collateral } : {}),
      ...(query.mine ? { mine: true, organizationId: reader.organizationId } : {}),
      ...(await this.results.earlyWarning(row, reader, { withinHours, limit, collateral, only })),
    };
  }

  @Get(':id/runs.csv')
  @Roles(...READERS)
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'One row per run: weight, drawn parameters, totals' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, RUNS_CSV, 'CSV with a header row')
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  async runs(@Param('id', uuidPipe) id: string) {
    return this.results.runsCsv(await this.assessments.get(id));
  }
}

/**
 * A responder's early warning: responders may not read assessments, but may learn which of their
 * own organisation's entities the newest finished assessment of a weapon says are at risk. The
 * organisation is the API key's; the TLP rule of the assessments' entity views applies.
 */
@ApiTags('assessments')
@ApiErrors()
@Controller('v1/weapons')
export class MyEarlyWarningController {
  constructor(
    private readonly assessments: AssessmentsService,
    private readonly results: ResultsService,
  ) {}

  @Get(':weaponId/early-warning/mine')
  @Roles('responder', 'analyst', 'researcher')
  @ApiPathExample('weaponId', DEMO.weaponId, 'weapon id (slug)')
  @ApiExampleResponse(200, MY_EARLY_WARNING, "{weaponId, organizationId, assessmentId, asOf, stale, withinHours, items}: the early warning's items of the key's organisation's entities")
  @ApiOperation({ summary: "The caller's organisation's unreported entities most likely to be infected within the window, from the weapon's newest finished assessment (assessmentId null when there is none)" })
  async mine(@Param('weaponId') weaponId: string, @Query() query: MyEarlyWarningQueryDto, @CurrentPrincipal() reader: Principal) {
    const row = await this.assessments.newestDone(weaponId);
    const base = { weaponId, organizationId: reader.organizationId, mine: true, withinHours: query.withinHours };
    if (!row) return { ...base, assessmentId: null, asOf: null, stale: false, windowsComputed: [], items: [] };
    const only = await this.assessments.organisationEntities(reader.organizationId);
    return {
      ...base,
      assessmentId: row.id,
      asOf: row.input.asOf,
      stale: this.assessments.view(row, reader).stale,
      ...(await this.results.earlyWarning(row, reader, { withinHours: query.withinHours, limit: query.limit, only })),
    };
  }
}
