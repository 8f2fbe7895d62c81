import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { TLP_LEVELS, type Tlp } from '../../domain/vocabulary';
import { EXCEEDANCE_PARTS, type ExceedancePart } from '../exceedance';

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
  @IsOptional() @Type(() => Number) @IsNumber() @Min(1) @Max(200)
  limit: number = 50;
}

export class BriefingQueryDto {
  @ApiPropertyOptional({ enum: TLP_LEVELS, description: 'a marking at least as restrictive as the reports the figures rest on (the default)' })
  @IsOptional() @IsIn(TLP_LEVELS)
  tlp?: Tlp;
}
