import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPathExample, DEMO } from '../common/http/api-example';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ErrorResponseDto } from '../common/errors/error-response';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { PageQueryDto } from '../common/http/pagination';
import { EntityPageDto } from '../graph/dto/entity.dto';
import { CreateWeaponDto, UpdateWeaponDto, WeaponDto, WeaponPageDto, WeaponQueryDto } from './dto/weapon.dto';
import { WeaponsService } from './weapons.service';

const READERS = ['responder', 'analyst', 'researcher'] as const;

const WEAPON_ID = ApiPathExample('id', DEMO.weaponId, 'weapon id (slug)');
const range = (low: number, high: number) => ({ low, high });
/** A weapon body as POST takes it (the NotPetya of the demo, with another id). */
const WEAPON_BODY = {
  id: 'notpetya-variant',
  name: 'NotPetya variant',
  payload: 'wiper',
  vectors: { 'supply-chain': { transmissibility: range(0.5, 0.95), delayHours: range(0.25, 6) }, network: { transmissibility: range(0.3, 0.8), delayHours: range(0.1, 2) } },
  requiredTags: ['windows'],
  targeting: { countries: ['UA'] },
  impact: { hostShare: range(0.3, 0.95), costPerHostUsd: range(500, 4000), downtimeDays: range(4, 30) },
  firstSeenAt: '2017-06-27T07:30:00Z',
};

@ApiTags('weapons')
@ApiErrors()
@Controller('v1/weapons')
export class WeaponsController {
  constructor(private readonly weapons: WeaponsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a weapon with its spread vectors, impact and intended targeting, each uncertain figure a 90% range (admin)' })
  @ApiBody({ type: CreateWeaponDto, examples: { wiper: { summary: 'a wiper spreading by supply chain and network', value: WEAPON_BODY } } })
  @ApiCreatedResponse({ type: WeaponDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'the id (or stixId) is taken' })
  create(@Body() dto: CreateWeaponDto, @CurrentPrincipal() actor: Principal) {
    return this.weapons.create(dto, actor);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'List weapons in id order' })
  @ApiOkResponse({ type: WeaponPageDto })
  list(@Query() query: WeaponQueryDto) {
    return this.weapons.list(query);
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'One weapon' })
  @WEAPON_ID
  @ApiOkResponse({ type: WeaponDto })
  get(@Param('id') id: string) {
    return this.weapons.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Replace the given top-level fields of a weapon (admin)' })
  @WEAPON_ID
  @ApiBody({ type: UpdateWeaponDto, examples: { killSwitch: { summary: 'a kill switch found', value: { killSwitchAt: '2017-06-28T00:00:00Z' } } } })
  @ApiOkResponse({ type: WeaponDto })
  update(@Param('id') id: string, @Body() dto: UpdateWeaponDto, @CurrentPrincipal() actor: Principal) {
    return this.weapons.update(id, dto, actor);
  }

  @Get(':id/targets')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'The entities the weapon\'s targeting designates',
    description: 'The listed entityIds, plus entities matching every selector given (own country in countries, own sector in sectors, any of tags); the same rule the assessments use to split intended from collateral.',
  })
  @WEAPON_ID
  @ApiOkResponse({ type: EntityPageDto })
  targets(@Param('id') id: string, @Query() page: PageQueryDto) {
    return this.weapons.targets(id, page);
  }
}
