import { Body, CallHandler, Controller, ExecutionContext, Get, Headers, HttpCode, Injectable, NestInterceptor, Param, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiConflictResponse, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiExampleResponse, ApiPathExample } from '../common/http/api-example';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { ID_EXAMPLE } from '../assessments/assessments.controller';
import { uuidPipe } from '../jobs/jobs.service';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { DomainError, notFound } from '../common/errors/domain-error';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { collectionKeyOf, collectionResource, COLLECTIONS, CollectionKey } from './collections';
import { MAX_PAGE, OBJECT_PARAMETERS, parseFilters, VERSIONS_PARAMETERS } from './filters';
import { requireAcceptable, requireTaxiiContent, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './media-type';
import { ErrorResponseDto } from '../common/errors/error-response';
import { EstimatesService } from './estimates.service';
import { TaxiiPage, TaxiiService } from './taxii.service';
import { API_ROOT_INFO, COLLECTION, DISCOVERY, ENVELOPE, ESTIMATE_BUNDLE, MANIFEST, NOTE, STATUS, VERSIONS } from './examples';

const READERS = ['responder', 'analyst', 'researcher'] as const;
export const API_ROOT = 'spillover';

const COLLECTION_ID = ApiPathExample('id', COLLECTIONS.reports.id, 'collection id (GET .../collections)');
/** One object's routes, exemplified by the demo assessment's note in the estimates collection. */
const ESTIMATES_ID = ApiPathExample('id', COLLECTIONS.estimates.id, 'collection id (GET .../collections)');
const OBJECT_ID = ApiPathExample('objectId', NOTE.id, 'a STIX id');

/** 406 unless the client accepts TAXII 2.1; every answer is labelled with its media type. */
@Injectable()
class TaxiiMediaType implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    requireAcceptable(http.getRequest<Request>().headers.accept);
    http.getResponse<Response>().setHeader('Content-Type', TAXII_MEDIA_TYPE);
    return next.handle();
  }
}

function collectionOf(id: string, need: 'read' | 'write'): CollectionKey {
  const key = collectionKeyOf(id);
  if (!key) throw notFound('collection', id);
  const c = COLLECTIONS[key];
  if (need === 'read' ? !c.readable : !c.writable) {
    throw new DomainError('FORBIDDEN', `collection '${id}' cannot be ${need === 'read' ? 'read' : 'written to'}`, [
      { field: 'id', rule: need === 'read' ? 'canRead' : 'canWrite', message: `see can_${need} in the collection resource` },
    ]);
  }
  return key;
}

function envelope<T>(res: Response, page: TaxiiPage<T>, property: 'objects' | 'versions'): Record<string, unknown> {
  if (page.firstAdded) res.setHeader('X-TAXII-Date-Added-First', page.firstAdded.toISOString());
  if (page.lastAdded) res.setHeader('X-TAXII-Date-Added-Last', page.lastAdded.toISOString());
  return { more: page.more, ...(page.next ? { next: page.next } : {}), ...(page.items.length ? { [property]: page.items } : {}) };
}

/** TAXII 2.1 (OASIS CS01) server: discovery, one API root, its collections and status resources. */
@ApiTags('taxii')
@ApiErrors()
@ApiProduces(TAXII_MEDIA_TYPE)
@UseInterceptors(TaxiiMediaType)
@Controller('taxii2')
export class TaxiiController {
  constructor(
    private readonly taxii: TaxiiService,
    private readonly estimates: EstimatesService,
  ) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'TAXII discovery: the server and its API root' })
  @ApiExampleResponse(200, DISCOVERY, '{title, description, default, api_roots}')
  discovery(@Req() req: Request) {
    const root = `${req.protocol}://${req.get('host')}/taxii2/${API_ROOT}/`;
    return { title: 'Spillover TAXII 2.1', description: 'Spread reports of escaped cyber weapons, under TLP.', default: root, api_roots: [root] };
  }

  @Get(API_ROOT)
  @Roles(...READERS)
  @ApiOperation({ summary: 'The API root' })
  @ApiExampleResponse(200, API_ROOT_INFO, '{title, versions, max_content_length}')
  apiRoot() {
    return { title: 'Spillover', description: 'Spread reports and responders inbox', versions: [TAXII_MEDIA_TYPE], max_content_length: 10 * 1024 * 1024 };
  }

  @Get(`${API_ROOT}/collections`)
  @Roles(...READERS)
  @ApiOperation({ summary: 'The collections, with what the caller may do in each' })
  @ApiExampleResponse(200, { collections: [COLLECTION] })
  collections(@CurrentPrincipal() principal: Principal) {
    return { collections: (Object.keys(COLLECTIONS) as CollectionKey[]).map((k) => collectionResource(k, principal)) };
  }

  @Get(`${API_ROOT}/collections/:id`)
  @Roles(...READERS)
  @ApiOperation({ summary: 'One collection' })
  @COLLECTION_ID
  @ApiExampleResponse(200, COLLECTION)
  collection(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const key = collectionKeyOf(id);
    if (!key) throw notFound('collection', id);
    return collectionResource(key, principal);
  }

  @Get(`${API_ROOT}/collections/:id/objects`)
  @Roles(...READERS)
  @ApiOperation({ summary: `Objects the reader may see: added_after, limit (at most ${MAX_PAGE}), next, match[id|type|version|spec_version]` })
  @COLLECTION_ID
  @ApiExampleResponse(200, ENVELOPE, 'an envelope')
  async objects(@Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response, @CurrentPrincipal() principal: Principal) {
    const filters = parseFilters(req.originalUrl);
    const page = collectionOf(id, 'read') === 'estimates' ? await this.estimates.page(principal, filters, false) : await this.taxii.objects(principal, filters);
    return envelope(res, page, 'objects');
  }

  @Post(`${API_ROOT}/collections/:id/objects`)
  @HttpCode(202)
  @Roles('responder')
  @ApiConsumes(TAXII_MEDIA_TYPE)
  @ApiOperation({ summary: 'Add an envelope of STIX objects: sightings of malware at identities become reports; answers the status resource' })
  @ApiPathExample('id', COLLECTIONS.responders.id, 'collection id (the responders inbox)')
  @ApiExampleResponse(202, STATUS, 'the status resource (complete: adds finish within the request)')
  add(@Param('id') id: string, @Headers('content-type') contentType: string | undefined, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    collectionOf(id, 'write');
    requireTaxiiContent(contentType);
    return this.taxii.add(principal, body);
  }

  @Get(`${API_ROOT}/collections/:id/manifest`)
  @Roles(...READERS)
  @ApiOperation({ summary: 'Manifest: id, date_added, version and media type of each object, same filters as objects' })
  @COLLECTION_ID
  @ApiExampleResponse(200, MANIFEST)
  async manifest(@Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response, @CurrentPrincipal() principal: Principal) {
    const filters = parseFilters(req.originalUrl);
    const page = collectionOf(id, 'read') === 'estimates' ? await this.estimates.page(principal, filters, true) : await this.taxii.manifest(principal, filters);
    return envelope(res, page, 'objects');
  }

  @Get(`${API_ROOT}/collections/:id/objects/:objectId`)
  @Roles(...READERS)
  @ApiOperation({ summary: 'One object (its last version unless match[version] says otherwise)' })
  @ESTIMATES_ID
  @OBJECT_ID
  @ApiExampleResponse(200, { more: false, objects: [NOTE] }, 'an envelope')
  async object(@Param('id') id: string, @Param('objectId') objectId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response, @CurrentPrincipal() principal: Principal) {
    const filters = { ...parseFilters(req.originalUrl, OBJECT_PARAMETERS), ids: [objectId], types: null };
    if (collectionOf(id, 'read') !== 'estimates') return envelope(res, await this.taxii.object(principal, objectId, filters), 'objects');
    const page = await this.estimates.page(principal, filters, false);
    if (!page.items.length) throw notFound('object', objectId);
    return envelope(res, page, 'objects');
  }

  @Get(`${API_ROOT}/collections/:id/objects/:objectId/versions`)
  @Roles(...READERS)
  @ApiOperation({ summary: 'The versions of one object the reader may see' })
  @ESTIMATES_ID
  @OBJECT_ID
  @ApiExampleResponse(200, VERSIONS)
  async versions(@Param('id') id: string, @Param('objectId') objectId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response, @CurrentPrincipal() principal: Principal) {
    const filters = { ...parseFilters(req.originalUrl, VERSIONS_PARAMETERS), ids: [objectId], types: null };
    if (collectionOf(id, 'read') !== 'estimates') return envelope(res, await this.taxii.versions(principal, objectId, filters), 'versions');
    const page = await this.estimates.page(principal, filters, true);
    if (!page.items.length) throw notFound('object', objectId);
    return envelope(res, { ...page, items: page.items.map((e) => e.version) }, 'versions');
  }

  @Get(`${API_ROOT}/status/:statusId`)
  @Roles(...READERS)
  @ApiOperation({ summary: 'The status of an add (the posting organisation only)' })
  @ApiPathExample('statusId', STATUS.id, 'the id in the answer of an add')
  @ApiExampleResponse(200, STATUS)
  status(@Param('statusId') statusId: string, @CurrentPrincipal() principal: Principal) {
    return this.taxii.status(principal, statusId);
  }
}

/** A finished assessment as a STIX 2.1 bundle (the estimates collection serves its note). */
@ApiTags('assessments')
@ApiErrors()
@Controller('v1/assessments')
export class EstimatesController {
  constructor(private readonly estimates: EstimatesService) {}

  @Get(':id/stix')
  @Roles(...READERS)
  @ApiProduces(STIX_MEDIA_TYPE)
  @ApiOperation({ summary: 'The estimate as a STIX 2.1 bundle: a note with the ranges (extension), the malware, the at-risk identities the reader may see, Spillover as creator, TLP:GREEN' })
  @ID_EXAMPLE
  @ApiExampleResponse(200, ESTIMATE_BUNDLE, 'a STIX 2.1 bundle (shortened)')
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'not done yet' })
  stix(@Param('id', uuidPipe) id: string, @CurrentPrincipal() reader: Principal) {
    return this.estimates.bundle(id, reader);
  }
}
