import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '../../domain/vocabulary';

import { SLUG, SLUG_MESSAGE } from '../../domain/ids';

export class CreateOrganizationDto {
  @ApiPropertyOptional({ example: 'cert-ua', description: 'slug; derived from the name when absent' })
  @IsOptional() @IsString() @Matches(SLUG, { message: SLUG_MESSAGE })
  id?: string;

  @ApiProperty({ example: 'CERT-UA' })
  @IsString() @MinLength(1) @MaxLength(200)
  name: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'soc-ingest' })
  @IsString() @MinLength(1) @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'cert-ua' })
  @IsString() @Matches(SLUG, { message: SLUG_MESSAGE })
  organizationId: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class ListApiKeysQueryDto {
  @ApiPropertyOptional({ example: 'cert-ua', description: 'only the keys of this organisation' })
  @IsOptional() @IsString() @Matches(SLUG, { message: SLUG_MESSAGE })
  organizationId?: string;
}

/** A key as listed: told apart by its id, never by any part of the secret. */
export class ApiKeyDto {
  @ApiProperty({ description: 'the key\'s id (not secret); revoke with DELETE /v1/api-keys/{id}' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() organizationId: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) revokedAt: Date | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'the secret; shown once, never again' })
  secret: string;
}
