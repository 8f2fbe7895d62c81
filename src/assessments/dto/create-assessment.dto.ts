import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { SLUG, SLUG_MESSAGE } from '../../domain/ids';
import { IsDateTime } from '../../common/http/is-date-time.decorator';

export const MAX_RUNS = 100_000;

export class CreateAssessmentDto {
  @ApiProperty({ example: 'notpetya', description: 'the weapon to assess' })
  @IsString() @Matches(SLUG, { message: SLUG_MESSAGE })
  weaponId: string;

  @ApiPropertyOptional({ description: 'assessment time, an RFC 3339 date-time with offset; reports observed after it are ignored. Default: now', example: '2017-06-28T12:00:00Z' })
  @IsOptional() @IsDateTime()
  asOf?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 8760, default: 168, description: 'forecast horizon after asOf, in hours' })
  @IsOptional() @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(8760)
  horizonHours: number = 168;

  @ApiPropertyOptional({ default: 'sir', description: 'a model id from GET /v1/models' })
  @IsOptional() @IsString()
  model: string = 'sir';

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_RUNS, default: 2000 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_RUNS)
  runs: number = 2000;

  @ApiPropertyOptional({ minimum: 0, maximum: 4294967295, description: 'random seed; drawn and reported when omitted' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(4294967295)
  seed?: number;

  @ApiPropertyOptional({ minimum: 0.5, maximum: 0.999, default: 0.9, description: 'level of the central intervals' })
  @IsOptional() @Type(() => Number) @IsNumber() @Min(0.5) @Max(0.999)
  confidenceLevel: number = 0.9;

  @ApiPropertyOptional({ default: true, description: 'weight runs by the reports (false: forward mode, prior only)' })
  @IsOptional() @IsBoolean()
  calibrate: boolean = true;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "the model's parameters (JSON Schema in GET /v1/models)" })
  @IsOptional() @IsObject()
  params?: Record<string, unknown>;
}
