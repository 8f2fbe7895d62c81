import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ErrorResponseDto } from '../common/errors/error-response';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { PageQueryDto } from '../common/http/pagination';
import { EntityPageDto } from '../graph/dto/entity.dto';
import { CreateWeaponDto, UpdateWeaponDto, WeaponDto, WeaponPageDto, WeaponQueryDto } from './dto/weapon.dto';
import { WeaponsService } from './weapons.service';

const READERS = ['responder', 'analyst', 'researcher'] as const;

@ApiTags('weapons')
@ApiErrors()
@Controller('v1/weapons')
export class WeaponsController {
  constructor(private readonly weapons: WeaponsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a weapon with its spread vectors, impact and intended targeting, each uncertain figure a 90% range (admin)' })
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
  @ApiOkResponse({ type: WeaponDto })
  get(@Param('id') id: string) {
    return this.weapons.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Replace the given top-level fields of a weapon (admin)' })
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
  @ApiOkResponse({ type: EntityPageDto })
  targets(@Param('id') id: string, @Query() page: PageQueryDto) {
    return this.weapons.targets(id, page);
  }
}
