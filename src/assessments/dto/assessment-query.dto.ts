import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { JOB_STATUSES, JobStatus } from '../../jobs/job-status';

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListAssessmentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional() @IsString()
  weaponId?: string;

  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional() @IsIn(JOB_STATUSES)
  status?: JobStatus;
}

export class EntitiesQueryDto {
  @ApiPropertyOptional({ enum: ['probability', 'loss'], default: 'probability' })
  @IsOptional() @IsIn(['probability', 'loss'])
  sort: 'probability' | 'loss' = 'probability';

  @ApiPropertyOptional({ description: 'true: collateral entities only; false: intended only' })
  @IsOptional() @Transform(toBool) @IsBoolean()
  collateral?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10000)
  limit: number = 100;
}

export class RollupQueryDto {
  @ApiPropertyOptional({ description: 'comma-separated levels below the world: country, sector, organization', default: 'country,sector,organization' })
  @IsOptional() @IsString()
  levels?: string;

  @ApiPropertyOptional({ description: 'true: the rollup of the collateral part only; false: of the intended part only' })
  @IsOptional() @Transform(toBool) @IsBoolean()
  collateral?: boolean;

  @ApiPropertyOptional({ description: 'true: the rollup of the intended part only; false: of the collateral part only' })
  @IsOptional() @Transform(toBool) @IsBoolean()
  intended?: boolean;

  @ApiPropertyOptional({
    minimum: 1, maximum: 1000, default: 100,
    description: "with the organization level: the organisations listed per group, those with the largest expected loss (the rest summed in an 'others' node)",
  })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit: number = 100;

  @ApiPropertyOptional({ description: "the previous answer's organizations.nextCursor: the next page of every group's organisations" })
  @IsOptional() @IsString()
  cursor?: string;
}

export class EarlyWarningQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 8760, default: 72 })
  @IsOptional() @Type(() => Number) @IsNumber() @Min(1) @Max(8760)
  withinHours: number = 72;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'true: collateral entities only; false: intended only' })
  @IsOptional() @Transform(toBool) @IsBoolean()
  collateral?: boolean;

  @ApiPropertyOptional({ description: "true: only the entities of the caller's organisation (those its reports name, with their organisation in the graph); taken from the API key, never from the request" })
  @IsOptional() @Transform(toBool) @IsBoolean()
  mine?: boolean;
}

/** The early warning of a weapon's newest finished assessment, for the caller's organisation's entities. */
export class MyEarlyWarningQueryDto extends PickType(EarlyWarningQueryDto, ['withinHours', 'limit'] as const) {}
