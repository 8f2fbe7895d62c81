import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { MispService } from './misp.service';

const READERS = ['responder', 'analyst', 'researcher'] as const;

/** MISP in (events as reports) and out (a feed per weapon that a MISP instance can pull). */
@ApiTags('misp')
@ApiErrors()
@Controller('v1/misp')
export class MispController {
  constructor(private readonly misp: MispService) {}

  @Post('events')
  @HttpCode(201)
  @Roles('responder')
  @ApiOperation({ summary: 'Import a MISP event as MISP exports it: sightings of its target-org attributes become reports of the weapon of its malware galaxy' })
  @ApiCreatedResponse({ description: '{created, unchanged, superseded, ids, entitiesCreated, weaponsCreated, warnings, skipped: [{id, type, reason}]}' })
  importEvent(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.misp.importEvent(body, principal);
  }

  @Get('feeds/:weaponId/manifest.json')
  @Roles(...READERS)
  @ApiOperation({ summary: 'MISP feed manifest of a weapon\'s reports the reader may see (one event)' })
  @ApiOkResponse({ description: '{<event uuid>: {info, Orgc, analysis, Tag, timestamp, date, threat_level_id}}' })
  manifest(@Param('weaponId') weaponId: string, @CurrentPrincipal() principal: Principal) {
    return this.misp.manifest(weaponId, principal);
  }

  @Get('feeds/:weaponId/:file')
  @Roles(...READERS)
  @ApiOperation({ summary: 'The feed\'s event, `<event uuid>.json`' })
  @ApiOkResponse({ description: '{Event: {...}}' })
  event(@Param('weaponId') weaponId: string, @Param('file') file: string, @CurrentPrincipal() principal: Principal) {
    return this.misp.event(weaponId, file, principal);
  }
}
