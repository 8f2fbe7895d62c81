import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiPayloadTooLargeResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { invalid } from '../common/errors/domain-error';
import { ErrorResponseDto } from '../common/errors/error-response';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ApiPathExample, DEMO } from '../common/http/api-example';
import { bulkRows } from './csv-rows';
import { DependenciesService } from './dependencies.service';
import {
  BulkResultDto, CreateDependencyDto, CreateEntityDto, DeleteEntityQueryDto, DependencyDto, DependencyPageDto, DependencyQueryDto,
  EntityDto, EntityPageDto, EntityQueryDto, HierarchyQueryDto, UpdateEntityDto,
} from './dto/entity.dto';
import { EntitiesService } from './entities.service';
import { HierarchyService } from './hierarchy.service';

/** Who may read the dependency model: everyone with a key. Writes: admin only (see docs/api.md). */
const READERS = ['responder', 'analyst', 'researcher'] as const;

const idPipe = new ParseIntPipe({
  exceptionFactory: () => invalid('invalid id', [{ field: 'id', rule: 'isInt', message: 'id must be an integer' }]),
});

const bulkDoc = (example: object[]) => ({
  schema: { oneOf: [{ type: 'array', items: {} }, { type: 'string', description: 'CSV with a header row' }], example },
  description: 'JSON array of objects, or `text/csv` with a header row naming the fields (tags separated by `;`). At most 100,000 rows; all or nothing.',
});

const ENTITY_ID = ApiPathExample('id', DEMO.entityId, 'entity id (slug)');
const DEPENDENCY_ID = ApiPathExample('id', DEMO.dependencyId, 'dependency id (integer)');

@ApiTags('dependency model')
@ApiErrors()
@Controller('v1')
export class GraphController {
  constructor(
    private readonly entities: EntitiesService,
    private readonly dependencies: DependenciesService,
    private readonly hierarchy: HierarchyService,
  ) {}

  @Post('entities')
  @Roles('admin')
  @ApiOperation({ summary: 'Create an entity (admin)' })
  @ApiBody({ type: CreateEntityDto })
  @ApiCreatedResponse({ type: EntityDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'the id (or stixId) is taken' })
  createEntity(@Body() body: CreateEntityDto, @CurrentPrincipal() actor: Principal) {
    return this.entities.create(body, actor);
  }

  @Post('entities/bulk')
  @Roles('admin')
  @ApiOperation({ summary: 'Create up to 100,000 entities from JSON or CSV, all or nothing; errors list every bad row (admin)' })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody(bulkDoc([{ id: 'acme', name: 'Acme Shipping', country: 'DK', sector: 'transportation-systems', hosts: 1200, tags: ['windows'] }]))
  @ApiCreatedResponse({ type: BulkResultDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'duplicate ids, unknown parents, cycles: every bad row listed' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  bulkEntities(@Body() body: unknown, @CurrentPrincipal() actor: Principal) {
    const { rows, text } = bulkRows(body, 'entity');
    return this.entities.bulkCreate(rows, actor, { text });
  }

  @Get('entities')
  @Roles(...READERS)
  @ApiOperation({ summary: 'List entities in id order, filtered, a page at a time' })
  @ApiOkResponse({ type: EntityPageDto })
  listEntities(@Query() query: EntityQueryDto, @CurrentPrincipal() reader: Principal) {
    return this.entities.list(query, reader);
  }

  @Get('entities/:id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'One entity' })
  @ENTITY_ID
  @ApiOkResponse({ type: EntityDto })
  getEntity(@Param('id') id: string, @CurrentPrincipal() reader: Principal) {
    return this.entities.get(id, reader);
  }

  @Patch('entities/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change fields of an entity; the result passes the same rules as a new one (admin)' })
  @ENTITY_ID
  @ApiBody({ type: UpdateEntityDto, examples: { hosts: { summary: 'a new host count', value: { hosts: 1500 } } } })
  @ApiOkResponse({ type: EntityDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'the new parent would make a cycle' })
  updateEntity(@Param('id') id: string, @Body() body: UpdateEntityDto, @CurrentPrincipal() actor: Principal) {
    return this.entities.update(id, body, actor);
  }

  @Delete('entities/:id')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Delete an entity; 409 while anything refers to it unless cascade=true (admin)' })
  @ENTITY_ID
  @ApiOkResponse({ schema: { example: { deleted: { entities: 3, dependencies: 5, reports: 1 } } } })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'children, dependencies or reports refer to it' })
  deleteEntity(@Param('id') id: string, @Query() query: DeleteEntityQueryDto, @CurrentPrincipal() actor: Principal) {
    return this.entities.remove(id, query.cascade === 'true', actor);
  }

  @Post('dependencies')
  @Roles('admin')
  @ApiOperation({ summary: 'Create a dependency source -> target (admin)' })
  @ApiBody({ type: CreateDependencyDto })
  @ApiCreatedResponse({ type: DependencyDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'same source, target and kind exists' })
  createDependency(@Body() body: CreateDependencyDto, @CurrentPrincipal() actor: Principal) {
    return this.dependencies.create(body, actor);
  }

  @Post('dependencies/bulk')
  @Roles('admin')
  @ApiOperation({ summary: 'Create up to 100,000 dependencies from JSON or CSV, all or nothing; errors list every bad row (admin)' })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody(bulkDoc([{ sourceId: 'maersk', targetId: 'maersk-ua', kind: 'corporate-wan', weight: 0.8 }]))
  @ApiCreatedResponse({ type: BulkResultDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'unknown endpoints, duplicates: every bad row listed' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  bulkDependencies(@Body() body: unknown, @CurrentPrincipal() actor: Principal) {
    const { rows, text } = bulkRows(body, 'dependency');
    return this.dependencies.bulkCreate(rows, actor, { text });
  }

  @Get('dependencies')
  @Roles(...READERS)
  @ApiOperation({ summary: 'List dependencies in id order, filtered, a page at a time' })
  @ApiOkResponse({ type: DependencyPageDto })
  listDependencies(@Query() query: DependencyQueryDto) {
    return this.dependencies.list(query);
  }

  @Get('dependencies/:id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'One dependency' })
  @DEPENDENCY_ID
  @ApiOkResponse({ type: DependencyDto })
  getDependency(@Param('id', idPipe) id: number) {
    return this.dependencies.get(id);
  }

  @Delete('dependencies/:id')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Delete a dependency (admin)' })
  @DEPENDENCY_ID
  @ApiOkResponse({ type: DependencyDto })
  deleteDependency(@Param('id', idPipe) id: number, @CurrentPrincipal() actor: Principal) {
    return this.dependencies.remove(id, actor);
  }

  @Get('hierarchy')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'World > country > sector > organisation tree (d3-hierarchy stratify) with counts and sums of hosts, dailyValueUsd, populationServed',
    description: 'Each entity is placed by its own country and sector; its organisation is its top-level ancestor, and descendants are folded into it. See docs/api.md, "Dependency model API".',
  })
  @ApiOkResponse({ schema: { example: { id: 'world', level: 'world', key: 'world', name: 'world', count: 3, sums: { hosts: 120, dailyValueUsd: 1e6, populationServed: 0 }, children: [] } } })
  getHierarchy(@Query() query: HierarchyQueryDto) {
    return this.hierarchy.tree(query.levels);
  }
}
