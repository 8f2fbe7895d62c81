import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { ErrorResponseDto } from '../common/errors/error-response';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ScenariosService } from './scenarios.service';

export class LoadScenarioDto {
  @ApiProperty({ example: 'notpetya-2017', description: 'a folder directly under the app\'s fixtures directory' })
  @IsString() @MaxLength(100) name: string;
}

export class LoadSummaryDto {
  @ApiProperty() scenario: string;
  @ApiProperty() title: string;
  @ApiProperty() weaponId: string;
  @ApiProperty({ description: 'the organisation the scenario\'s reports are filed under' }) organizationId: string;
  @ApiProperty({ description: 'entities created' }) entities: number;
  @ApiProperty({ description: 'entities already stored (same id) that the scenario reuses' }) entitiesReused: number;
  @ApiProperty() dependencies: number;
  @ApiProperty() dependenciesReused: number;
  @ApiProperty() reports: number;
  @ApiProperty({ description: 'milliseconds to read, validate and write' }) ms: number;
}

@ApiTags('scenarios')
@ApiErrors()
@Controller('v1/scenarios')
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'The bundled scenario fixtures that can be loaded (admin)' })
  @ApiOkResponse({ schema: { example: [{ name: 'notpetya-2017', title: 'NotPetya, 27 June 2017', weaponId: 'notpetya' }] } })
  list() {
    return this.scenarios.listFixtures();
  }

  @Post('load')
  @Roles('admin')
  @ApiOperation({ summary: 'Load a bundled scenario (entities, dependencies, weapon, reports) in one transaction (admin)' })
  @ApiCreatedResponse({ type: LoadSummaryDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'the scenario is already loaded (its weapon exists)' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'the folder is invalid: every problem listed with its file' })
  load(@Body() dto: LoadScenarioDto, @CurrentPrincipal() actor: Principal) {
    return this.scenarios.loadFixture(dto.name, actor);
  }
}
