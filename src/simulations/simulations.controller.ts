import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiPayloadTooLargeResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ErrorResponseDto } from '../common/errors/error-response';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ApiExampleResponse, ApiPathExample } from '../common/http/api-example';
import { SIMULATION_DONE, SIMULATION_QUEUED, SIMULATION_RESULT } from './dto/examples';
import { uuidPipe } from '../jobs/jobs.service';
import { MAX_EDGES, MAX_FULL_DATA_RUNS, MAX_SEEDS, MAX_SIM_RUNS, MAX_TIMES, SYNC_BUDGET } from './simulation-input';
import { SimulationsService } from './simulations.service';

const READERS = ['analyst', 'researcher'] as const;

const BODY_SCHEMA = {
  type: 'object',
  required: ['seeds'],
  properties: {
    model: { type: 'string', enum: ['ic', 'sir'], default: 'ic' },
    params: { type: 'object', description: "the model's simulationParameters (JSON Schema in GET /v1/models): ic {transmissibility}, sir {rate, recovery}" },
    graph: {
      description:
        '"stored" (entities and dependencies), a posted graph {nodes?, edges, directed?} (edges/nodes/directed may also be given at the top level), ' +
        'or a graph file {format, data}: GraphML, GEXF, node-link JSON (networkx node_link_data, data as text or object) or a scenario dependencies.csv. ' +
        'A file gives the same runs as the same graph posted as edges (same seed); its direction comes from the file (else `directed`).',
      oneOf: [
        { type: 'string', enum: ['stored'] },
        {
          type: 'object',
          properties: {
            nodes: { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }] }, description: 'every node (optional: else the edges\' endpoints)' },
            edges: { type: 'array', maxItems: MAX_EDGES, items: { type: 'array', minItems: 2, maxItems: 4 }, description: '[u, v, weight in [0,1] (default 1), kind (default network)]; no self-loops' },
            directed: { type: 'boolean', default: false },
          },
        },
        {
          type: 'object',
          required: ['format', 'data'],
          properties: {
            format: { type: 'string', enum: ['graphml', 'gexf', 'node-link', 'dependencies-csv'] },
            data: { description: 'the file: text (node-link also as a JSON object); edge weights in [0,1], edge attribute `kind` a dependency kind' },
            directed: { type: 'boolean', description: 'for a file that does not say (dependencies.csv is always directed)' },
          },
        },
      ],
    },
    seeds: { type: 'array', minItems: 1, maxItems: MAX_SEEDS, description: 'seed node ids (entity ids for the stored graph), infected at time 0 in every run' },
    runs: { type: 'integer', minimum: 1, maximum: MAX_SIM_RUNS, default: 100 },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'random seed; drawn and returned when omitted' },
    confidenceLevel: { type: 'number', minimum: 0.5, maximum: 0.999, default: 0.9 },
    mode: { type: 'string', enum: ['auto', 'job'], default: 'auto', description: `auto: answer at once when edges x runs <= ${SYNC_BUDGET.toLocaleString('en')}, else a job; job: always a job` },
    includeRuns: { type: 'boolean', default: false, description: 'add the final size of every run (finalSizes)' },
    times: {
      type: 'array', maxItems: MAX_TIMES, items: { type: 'number', minimum: 0 },
      description: 'ascending time grid: adds timeSeries {times, S, I, R}, one row per run (sir: model time; ic: generations, each infected node infectious for one)',
    },
    fullData: {
      type: 'boolean', default: false,
      description: `adds nodeHistories: each run's infected nodes with infection and recovery times (as EoN's return_full_data); at most ${MAX_FULL_DATA_RUNS} runs`,
    },
  },
};

/** Researchers' raw model runs; analysts and admins may use them too. */
@ApiTags('simulations')
@ApiErrors()
@Controller('v1/simulations')
export class SimulationsController {
  constructor(private readonly simulations: SimulationsService) {}

  @Post()
  @Roles(...READERS)
  @ApiOperation({ summary: 'Run a model (ic or sir) on a posted edge list or on the stored graph: 200 with the result when small, else 202 with a job' })
  @ApiBody({ schema: { ...BODY_SCHEMA, example: { model: 'ic', params: { transmissibility: 0.5 }, graph: { edges: [['a', 'b'], ['b', 'c'], ['a', 'c', 0.5]] }, seeds: ['a'], runs: 100, seed: 7 } } as never })
  @ApiExampleResponse(200, SIMULATION_RESULT, 'the result: final size and fraction as {mean, median, low, high, level}, large outbreaks, speed')
  @ApiExampleResponse(202, SIMULATION_QUEUED, 'the queued job (kind simulation); poll GET /v1/simulations/:id')
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: `more than ${MAX_EDGES} edges` })
  async create(@Body() body: unknown, @CurrentPrincipal() actor: Principal, @Res({ passthrough: true }) res: Response) {
    const out = await this.simulations.create(body, actor);
    res.status(out.status);
    return out.body;
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'A simulation job: status, progress, inputs; when done, the result' })
  @ApiPathExample('id', SIMULATION_QUEUED.id, 'simulation job id (UUID) from POST /v1/simulations')
  @ApiExampleResponse(200, SIMULATION_DONE)
  get(@Param('id', uuidPipe) id: string) {
    return this.simulations.get(id);
  }

  @Delete(':id')
  @HttpCode(200)
  @Roles(...READERS)
  @ApiOperation({ summary: 'Cancel a queued or running simulation job' })
  @ApiPathExample('id', SIMULATION_QUEUED.id, 'simulation job id (UUID)')
  @ApiExampleResponse(200, { ...SIMULATION_QUEUED, status: 'cancelled' }, 'the cancelled job')
  cancel(@Param('id', uuidPipe) id: string, @CurrentPrincipal() actor: Principal) {
    return this.simulations.cancel(id, actor);
  }
}
