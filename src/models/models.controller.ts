import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/http/principal';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ModelsService } from './models.service';

@ApiTags('models')
@ApiErrors()
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @Roles('analyst', 'researcher')
  @ApiOperation({ summary: 'The propagation models, each with its parameters as JSON Schema, assumptions and references' })
  @ApiOkResponse({ description: '{items: [{id, name, description, parameters, simulationParameters, outputs, assumptions, references}]}' })
  list() {
    return { items: this.models.list() };
  }
}
