import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ApiExampleResponse } from '../common/http/api-example';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { IdempotencyClaim, Idempotent } from '../common/idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../common/idempotency/idempotency.service';
import { StixService } from './stix.service';

export class ExportStixQueryDto {
  @ApiProperty({ example: 'notpetya' }) @IsString() @MaxLength(128) weaponId: string;
}

/** What importing the STIX sightings of test/fixtures/stix answers. */
export const IMPORT_RESULT = {
  created: 4,
  superseded: 0,
  unchanged: 0,
  ids: ['01a24531-eeb3-7000-ba6d-7480c99a5ec6'],
  entitiesCreated: ['merck-co', 'kyiv-boryspil-airport'],
  weaponsCreated: [],
  warnings: [{ field: 'objects[18].sighting_of_ref', rule: 'ignored', message: 'sighting--e5f6a7b8-c9d0-4e1f-8a2b-4c5d6e7f8091: a sighting of a indicator is not a spread report; skipped' }],
  skipped: [{ id: 'indicator--d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f80', type: 'indicator', reason: 'a indicator is not evidence of spread: only sightings of malware at identities become reports' }],
};

const EXPORT_BUNDLE = {
  type: 'bundle',
  id: 'bundle--51f99f87-846d-4d3e-9e02-953107a442b8',
  objects: [{
    type: 'marking-definition', spec_version: '2.1', id: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', created: '2022-10-01T00:00:00.000Z',
    name: 'TLP:CLEAR', extensions: { 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: 'clear' } },
  }],
};

/** STIX 2.1 in and out of the reports, under the reports' paths (stix depends on reports, not the other way). */
@ApiTags('reports')
@ApiErrors()
@Controller('v1/reports')
export class StixController {
  constructor(private readonly stix: StixService) {}

  @Post('stix')
  @HttpCode(201)
  @Roles('responder')
  @Idempotent()
  @ApiOperation({
    summary: 'Import a STIX 2.1 bundle: each sighting of a malware at identities becomes reports',
    description: 'Identities match entities by stored STIX id, then by name, else become new entities (country from located-at locations, sector from `sectors`); ' +
      'unknown malware becomes an uncharacterised weapon; TLP from TLP 2.0 (or 1.0) marking definitions. Re-importing an unchanged sighting writes nothing; ' +
      'a sighting with a later `modified` supersedes the stored one. An invalid bundle is a 400 naming the object and property.',
  })
  @ApiConsumes('application/json', 'application/stix+json', 'application/taxii+json')
  @ApiBody({ schema: { type: 'object', description: 'a STIX 2.1 bundle (test/fixtures/stix/notpetya-sightings.json is a complete one)', example: { type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects: [] } } })
  @ApiExampleResponse(201, IMPORT_RESULT, 'what the import did: reports created, unchanged and superseded, entities and weapons created, warnings, objects skipped')
  importStix(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @IdempotencyClaim() claim: IdempotencyContext | null) {
    return this.stix.importBundle(body, principal, claim);
  }

  @Get('export/stix')
  @Roles('responder', 'analyst', 'researcher')
  @ApiOperation({ summary: 'Export the current reports of a weapon the caller may see as a STIX 2.1 bundle' })
  @ApiProduces('application/stix+json;version=2.1')
  @ApiExampleResponse(200, EXPORT_BUNDLE, 'a STIX 2.1 bundle: marking-definition, malware, identity, location, relationship (located-at), sighting (shortened)')
  exportStix(@Query() query: ExportStixQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.stix.exportBundle(query.weaponId, principal);
  }
}
