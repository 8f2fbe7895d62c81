import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPathExample } from '../common/http/api-example';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, CreateOrganizationDto, ListApiKeysQueryDto } from './dto/auth.dto';
import { CurrentPrincipal, Principal, Roles } from '../common/http/principal';
import { Organization } from './organization.entity';
import { invalid } from '../common/errors/domain-error';

const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => invalid('invalid id', [{ field: 'id', rule: 'isUuid', message: 'id must be a UUID' }]),
});

@ApiTags('auth')
@ApiErrors()
@Controller('v1')
export class AuthController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('organizations')
  @Roles('admin')
  @ApiOperation({ summary: 'Create a member organisation (admin)' })
  @ApiCreatedResponse({ type: Organization })
  createOrganization(@Body() dto: CreateOrganizationDto, @CurrentPrincipal() actor: Principal) {
    return this.keys.createOrganization(dto, actor);
  }

  @Get('organizations')
  @Roles('admin')
  @ApiOperation({ summary: 'List organisations (admin)' })
  @ApiOkResponse({ type: [Organization] })
  listOrganizations() {
    return this.keys.listOrganizations();
  }

  @Post('api-keys')
  @Roles('admin')
  @ApiOperation({ summary: 'Create an API key bound to an organisation and a role; the secret is returned once (admin)' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  createKey(@Body() dto: CreateApiKeyDto, @CurrentPrincipal() actor: Principal) {
    return this.keys.create(dto, actor);
  }

  @Get('api-keys')
  @Roles('admin')
  @ApiOperation({ summary: 'List API keys, without secrets (admin)' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  listKeys(@Query() query: ListApiKeysQueryDto) {
    return this.keys.list(query.organizationId);
  }

  @Delete('api-keys/:id')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke an API key; it is refused from then on (admin)' })
  @ApiPathExample('id', '0b6f6f8e-2c1d-4e5a-9b7c-3d2e1f0a9b8c', 'API key id (UUID) from GET /v1/api-keys')
  @ApiOkResponse({ type: ApiKeyDto })
  revokeKey(@Param('id', uuidPipe) id: string, @CurrentPrincipal() actor: Principal) {
    return this.keys.revoke(id, actor);
  }
}
