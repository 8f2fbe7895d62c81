/**
 * OpenAPI descriptions of the report bodies. Validation is not done by these classes but by
 * report-rules.ts (one validator for single, bulk, CSV and STIX), so routes take `unknown` bodies
 * and document them with @ApiBody({ type }).
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { REPORT_STATUSES, TLP_LEVELS } from '../../domain/vocabulary';

export class LossRangeDto {
  @ApiProperty({ example: 200000, description: '5th percentile, USD' }) low: number;
  @ApiProperty({ example: 900000, description: '95th percentile, USD' }) high: number;
}

export class ExternalReferenceDto {
  @ApiProperty({ example: 'cert-ua' }) source_name: string;
  @ApiPropertyOptional({ example: 'https://cert.gov.ua/article/123' }) url?: string;
  @ApiPropertyOptional({ example: 'CERT-UA#4521' }) external_id?: string;
  @ApiPropertyOptional() description?: string;
}

export class InlineEntityDto {
  @ApiProperty({ example: 'maersk-dk' }) id: string;
  @ApiProperty({ example: 'A.P. Moller-Maersk' }) name: string;
  @ApiPropertyOptional({ example: 'organization' }) kind?: string;
  @ApiPropertyOptional({ example: 'DK' }) country?: string;
  @ApiPropertyOptional({ example: 'transportation-systems' }) sector?: string;
  @ApiPropertyOptional({ example: 49000 }) hosts?: number;
  @ApiPropertyOptional({ type: [String], example: ['windows', 'medoc'] }) tags?: string[];
}

export class CreateReportDto {
  @ApiProperty({ example: 'notpetya' }) weaponId: string;
  @ApiPropertyOptional({ example: 'maersk-dk', description: 'an existing entity; or send `entity`' }) entityId?: string;
  @ApiPropertyOptional({ type: InlineEntityDto, description: 'an entity created in the same transaction (reused when its id exists)' })
  entity?: InlineEntityDto;
  @ApiProperty({ example: '2017-06-27T10:15:00Z', description: 'ISO 8601 with a zone; not in the future (5 min skew allowed)' })
  observedAt: string;
  @ApiProperty({ enum: REPORT_STATUSES }) status: string;
  @ApiPropertyOptional({ minimum: 0, example: 4000 }) hostsAffected?: number;
  @ApiPropertyOptional({ minimum: 0, example: 240 }) downtimeHours?: number;
  @ApiPropertyOptional({ type: LossRangeDto }) lossUsd?: LossRangeDto;
  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: 'STIX confidence scale' }) confidence?: number;
  @ApiPropertyOptional({ enum: TLP_LEVELS, default: 'amber' }) tlp?: string;
  @ApiPropertyOptional({ maxLength: 300, example: 'SOC ticket queue' }) source?: string;
  @ApiPropertyOptional({ type: [ExternalReferenceDto] }) externalReferences?: ExternalReferenceDto[];
  @ApiPropertyOptional({ format: 'uuid', description: 'the report this one corrects (must be current and your organisation\'s)' })
  supersedes?: string;
  @ApiPropertyOptional({ description: 'reporting organisation; defaults to yours, only admins may name another' })
  organizationId?: string;
}

const bool = ({ value }: { value: unknown }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value);

export class ListReportsQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) weaponId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) entityId?: string;
  @ApiPropertyOptional({ description: 'reporting organisation' }) @IsOptional() @IsString() @MaxLength(128) organizationId?: string;
  @ApiPropertyOptional({ description: `comma-separated: ${REPORT_STATUSES.join(', ')}` }) @IsOptional() @IsString() @MaxLength(200) status?: string;
  @ApiPropertyOptional({ description: `comma-separated: ${TLP_LEVELS.join(', ')}` }) @IsOptional() @IsString() @MaxLength(200) tlp?: string;
  @ApiPropertyOptional({ description: 'observedAt >= since (ISO 8601)' }) @IsOptional() @IsString() @MaxLength(40) since?: string;
  @ApiPropertyOptional({ description: 'observedAt < until (ISO 8601)' }) @IsOptional() @IsString() @MaxLength(40) until?: string;
  @ApiPropertyOptional({ default: false, description: 'also list superseded versions' })
  @IsOptional() @Transform(bool) @IsBoolean() includeSuperseded?: boolean;
}
