import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { IdempotencyClaim, Idempotent } from '../common/idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../common/idempotency/idempotency.service';
import { StixService } from './stix.service';

export class ExportStixQueryDto {
  @ApiProperty({ example: 'notpetya' }) @IsString() @MaxLength(128) weaponId: string;
}

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
  @ApiBody({ schema: { type: 'object', description: 'a STIX 2.1 bundle' } })
  @ApiCreatedResponse({ description: '{created, unchanged, ids, entitiesCreated, weaponsCreated, warnings}' })
  importStix(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @IdempotencyClaim() claim: IdempotencyContext | null) {
    return this.stix.importBundle(body, principal, claim);
  }

  @Get('export/stix')
  @Roles('responder', 'analyst', 'researcher')
  @ApiOperation({ summary: 'Export the current reports of a weapon the caller may see as a STIX 2.1 bundle' })
  @ApiProduces('application/stix+json;version=2.1')
  @ApiOkResponse({ description: 'a STIX 2.1 bundle: marking-definition, malware, identity, location, relationship (located-at), sighting' })
  exportStix(@Query() query: ExportStixQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.stix.exportBundle(query.weaponId, principal);
  }
}
