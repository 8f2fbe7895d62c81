import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min, ValidateIf } from 'class-validator';
import { DEPENDENCY_KINDS, SECTORS, TLP_LEVELS, type DependencyKind, type Norm, type Sector, type Tlp } from '../../domain/vocabulary';
import { EXCEEDANCE_PARTS, type ExceedancePart } from '../exceedance';
import { IsDateTime } from '../../common/http/is-date-time.decorator';

export class ExceedanceQueryDto {
  @ApiPropertyOptional({ enum: EXCEEDANCE_PARTS, description: 'one curve (collateral or total loss); both when absent' })
  @IsOptional() @IsIn(EXCEEDANCE_PARTS)
  part?: ExceedancePart;

  @ApiPropertyOptional({ description: 'a loss in USD: P(loss > thresholdUsd) for each curve, said as "about 1 in N"' })
  @IsOptional() @Type(() => Number) @IsNumber() @Min(0) @Max(1e15)
  thresholdUsd?: number;
}

export class SeriesQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50, description: 'the newest finished assessments at most' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  limit: number = 50;
}

export class BriefingQueryDto {
  @ApiPropertyOptional({ enum: TLP_LEVELS, description: 'a marking at least as restrictive as the reports the figures rest on (the default)' })
  @IsOptional() @IsIn(TLP_LEVELS)
  tlp?: Tlp;
}

const list = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value);

/** One change to the world (combine several only when you mean to). */
export class CounterfactualQueryDto {
  @ApiPropertyOptional({ description: 'comma-separated norms the weapon honours: 13(f) (critical infrastructure), 13(k) (CSIRTs); their protected entities cannot be infected', example: '13(f),13(k)' })
  @IsOptional() @Transform(list) @IsArray() @IsIn(['13(f)', '13(k)'], { each: true })
  honour?: Norm[];

  @ApiPropertyOptional({ description: 'comma-separated sectors that cannot be infected' })
  @IsOptional() @Transform(list) @IsArray() @IsIn(SECTORS, { each: true })
  spareSectors?: Sector[];

  @ApiPropertyOptional({ description: 'a kill switch at this time (ISO 8601): nothing new is infected after it' })
  @IsOptional() @IsDateTime()
  killSwitchAt?: string;

  @ApiPropertyOptional({ description: 'every infected entity is contained this many hours after its infection' })
  @IsOptional() @Type(() => Number) @IsNumber() @Min(0) @Max(87600)
  containWithinHours?: number;

  @ApiPropertyOptional({ description: 'comma-separated entity ids patched by `patchedBy`' })
  @IsOptional() @Transform(list) @IsArray() @ArrayMaxSize(10000) @IsString({ each: true })
  patch?: string[];

  @ApiPropertyOptional({ description: 'comma-separated sectors whose entities are all patched by `patchedBy`' })
  @IsOptional() @Transform(list) @IsArray() @IsIn(SECTORS, { each: true })
  patchSectors?: Sector[];

  @ApiPropertyOptional({ description: 'when the patch is in place (ISO 8601); required with patch or patchSectors' })
  @ValidateIf((o: CounterfactualQueryDto) => !!(o.patch?.length || o.patchSectors?.length)) @IsDateTime()
  patchedBy?: string;

  @ApiPropertyOptional({ description: 'comma-separated dependency kinds cut (carry nothing)' })
  @IsOptional() @Transform(list) @IsArray() @IsIn(DEPENDENCY_KINDS, { each: true })
  cut?: DependencyKind[];

  @ApiPropertyOptional({ minimum: 10, maximum: 5000, default: 1000, description: 'the first this many of the assessment\'s runs (run order), with their weights' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(10) @Max(5000)
  maxRuns: number = 1000;
}
