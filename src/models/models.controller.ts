import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/http/principal';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ApiExampleResponse } from '../common/http/api-example';
import { MODELS } from './model-catalog';
import { ModelsService } from './models.service';

@ApiTags('models')
@ApiErrors()
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @Roles('analyst', 'researcher')
  @ApiOperation({ summary: 'The propagation models, each with its parameters as JSON Schema, assumptions and references' })
  @ApiExampleResponse(200, { items: MODELS }, 'the catalogue: {items: [{id, name, description, parameters, simulationParameters, outputs, assumptions, references}]}')
  list() {
    return { items: this.models.list() };
  }
}
