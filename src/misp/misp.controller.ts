import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiExampleResponse, ApiPathExample, DEMO } from '../common/http/api-example';
import { IMPORT_RESULT } from '../stix/stix.controller';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { MispService } from './misp.service';

const READERS = ['responder', 'analyst', 'researcher'] as const;

/** The demo weapon's feed event: its uuid follows from the weapon, so the example names it. */
const EVENT_UUID = '5ae9f2da-6e4a-56f7-8228-58575fcb74e0';
const ORG = { name: 'Spillover', uuid: 'd47886ba-9820-5da1-b7c6-bf941457b95a' };
const EVENT_HEAD = { info: 'Spillover: spread reports of NotPetya', Orgc: ORG, analysis: '2', Tag: [{ name: 'tlp:amber', colour: '#000000' }], date: '2017-06-27', threat_level_id: '1' };
const WEAPON_ID = ApiPathExample('weaponId', DEMO.weaponId, 'a weapon id');

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
  @ApiExampleResponse(201, IMPORT_RESULT, '{created, unchanged, superseded, ids, entitiesCreated, weaponsCreated, warnings, skipped: [{id, type, reason}]}')
  importEvent(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.misp.importEvent(body, principal);
  }

  @Get('feeds/:weaponId/manifest.json')
  @Roles(...READERS)
  @ApiOperation({ summary: 'MISP feed manifest of a weapon\'s reports the reader may see (one event)' })
  @WEAPON_ID
  @ApiExampleResponse(200, { [EVENT_UUID]: { ...EVENT_HEAD, timestamp: '1796457225' } }, '{<event uuid>: {info, Orgc, analysis, Tag, timestamp, date, threat_level_id}}', {
    type: 'object',
    additionalProperties: { type: 'object', properties: { info: { type: 'string' }, Orgc: { type: 'object' }, analysis: { type: 'string' }, Tag: { type: 'array' }, timestamp: { type: 'string' }, date: { type: 'string' }, threat_level_id: { type: 'string' } } },
  })
  manifest(@Param('weaponId') weaponId: string, @CurrentPrincipal() principal: Principal) {
    return this.misp.manifest(weaponId, principal);
  }

  @Get('feeds/:weaponId/:file')
  @Roles(...READERS)
  @ApiOperation({ summary: 'The feed\'s event, `<event uuid>.json`' })
  @WEAPON_ID
  @ApiPathExample('file', `${EVENT_UUID}.json`, 'an event of the manifest')
  @ApiExampleResponse(200, { Event: { uuid: EVENT_UUID, ...EVENT_HEAD, published: true, distribution: '0', Org: ORG, Attribute: [], Object: [] } }, '{Event: {...}} (shortened)')
  event(@Param('weaponId') weaponId: string, @Param('file') file: string, @CurrentPrincipal() principal: Principal) {
    return this.misp.event(weaponId, file, principal);
  }
}
