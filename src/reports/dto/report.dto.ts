/**
 * The report bodies. POST /v1/reports validates CreateReportDto field by field with the one report
 * rule set (report-rules.ts: single, bulk, CSV and STIX), so a bad body names the same fields,
 * nested ones included (`lossUsd.low`, `entity.country`, `externalReferences[0].url`), and rules
 * as a bad bulk row. The nested classes describe the shapes for OpenAPI only.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { REPORT_STATUSES, TLP_LEVELS } from '../../domain/vocabulary';
import { FieldRule, FieldCheck } from '../../common/http/field-rule.decorator';
import { checkFiledBody } from '../report-rules';

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

/**
 * The rule of one field of a report: the details of the report rules under that field (`lossUsd`,
 * `lossUsd.low`, ...). The rules run once per body (checkFiledBody), and the writer reuses that check.
 */
function reportField(field: string): FieldCheck {
  return (_value, errors, _row, _text, record) => {
    if (!record) return;
    errors.push(...checkFiledBody(record).errors.filter((e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`)));
  };
}

export class CreateReportDto {
  @ApiProperty({ example: 'notpetya' })
  @FieldRule(reportField('weaponId')) weaponId: string;
  @ApiPropertyOptional({ example: 'maersk', description: 'an existing entity; or send `entity`' })
  @FieldRule(reportField('entityId')) entityId?: string;
  @ApiPropertyOptional({ type: InlineEntityDto, description: 'an entity created in the same transaction (reused when its id exists)' })
  @FieldRule(reportField('entity')) entity?: InlineEntityDto;
  @ApiProperty({ example: '2017-06-27T10:15:00Z', description: 'RFC 3339 date-time with an offset; not in the future (5 min skew allowed)' })
  @FieldRule(reportField('observedAt')) observedAt: string;
  @ApiProperty({ enum: REPORT_STATUSES })
  @FieldRule(reportField('status')) status: string;
  @ApiPropertyOptional({ minimum: 0, example: 4000 })
  @FieldRule(reportField('hostsAffected')) hostsAffected?: number;
  @ApiPropertyOptional({ minimum: 0, example: 240 })
  @FieldRule(reportField('downtimeHours')) downtimeHours?: number;
  @ApiPropertyOptional({ type: LossRangeDto })
  @FieldRule(reportField('lossUsd')) lossUsd?: LossRangeDto;
  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: 'STIX confidence scale' })
  @FieldRule(reportField('confidence')) confidence?: number;
  @ApiPropertyOptional({ enum: TLP_LEVELS, default: 'amber' })
  @FieldRule(reportField('tlp')) tlp?: string;
  @ApiPropertyOptional({ maxLength: 300, example: 'SOC ticket queue' })
  @FieldRule(reportField('source')) source?: string;
  @ApiPropertyOptional({ type: [ExternalReferenceDto] })
  @FieldRule(reportField('externalReferences')) externalReferences?: ExternalReferenceDto[];
  @ApiPropertyOptional({ format: 'uuid', description: 'the report this one corrects (must be current and your organisation\'s)' })
  @FieldRule(reportField('supersedes')) supersedes?: string;
  @ApiPropertyOptional({ description: 'reporting organisation; defaults to yours, only admins may name another' })
  @FieldRule(reportField('organizationId')) organizationId?: string;
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
