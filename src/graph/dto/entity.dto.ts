import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { DEPENDENCY_KINDS, ENTITY_KINDS, SECTORS } from '../../domain/vocabulary';
import { SLUG } from '../../domain/ids';

/**
 * Request bodies of entities and dependencies are validated by src/graph/entity-rules.ts
 * (the same rules as the bulk import, which checks 100,000 rows per request); these classes
 * document them in OpenAPI.
 */
export class CreateEntityDto {
  @ApiProperty({ example: 'maersk', description: 'client-supplied stable slug' }) id: string;
  @ApiProperty({ example: 'A.P. Moller-Maersk', maxLength: 300 }) name: string;
  @ApiPropertyOptional({ enum: ENTITY_KINDS, default: 'organization' }) kind?: string;
  @ApiPropertyOptional({ nullable: true, description: 'parent in the hierarchy (organisation > site); no cycles' }) parentId?: string | null;
  @ApiPropertyOptional({ example: 'DK', nullable: true, description: 'ISO 3166-1 alpha-2; UK and EL are accepted for GB and GR' }) country?: string | null;
  @ApiPropertyOptional({ enum: SECTORS, nullable: true, description: 'CISA critical-infrastructure sector' }) sector?: string | null;
  @ApiPropertyOptional({ minimum: 0, default: 0 }) hosts?: number;
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'economic output per day, USD' }) dailyValueUsd?: number;
  @ApiPropertyOptional({ minimum: 0, default: 0 }) populationServed?: number;
  @ApiPropertyOptional({ type: [String], example: ['windows', 'smbv1', 'medoc'], description: 'exposure tags, lowercased' }) tags?: string[];
  @ApiPropertyOptional({ description: 'defaults to true for protected sectors (UN GGE 2015 norm 13(f)) and kind csirt (13(k))' }) protected?: boolean;
  @ApiPropertyOptional({ example: 'identity--0a1b2c3d-0000-4000-8000-000000000000', nullable: true }) stixId?: string | null;
}

export class UpdateEntityDto {
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ enum: ENTITY_KINDS }) kind?: string;
  @ApiPropertyOptional({ nullable: true }) parentId?: string | null;
  @ApiPropertyOptional({ nullable: true }) country?: string | null;
  @ApiPropertyOptional({ enum: SECTORS, nullable: true }) sector?: string | null;
  @ApiPropertyOptional() hosts?: number;
  @ApiPropertyOptional() dailyValueUsd?: number;
  @ApiPropertyOptional() populationServed?: number;
  @ApiPropertyOptional({ type: [String] }) tags?: string[];
  @ApiPropertyOptional({ description: 'when absent and sector or kind changes, recomputed from them' }) protected?: boolean;
  @ApiPropertyOptional({ nullable: true }) stixId?: string | null;
}

export class EntityDto extends CreateEntityDto {
  @ApiProperty() declare kind: string;
  @ApiProperty({ nullable: true, type: String }) declare parentId: string | null;
  @ApiProperty({ nullable: true, type: String }) declare country: string | null;
  @ApiProperty({ nullable: true, type: String }) declare sector: string | null;
  @ApiProperty() declare hosts: number;
  @ApiProperty() declare dailyValueUsd: number;
  @ApiProperty() declare populationServed: number;
  @ApiProperty({ type: [String] }) declare tags: string[];
  @ApiProperty() declare protected: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class EntityPageDto {
  @ApiProperty({ type: [EntityDto] }) items: EntityDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class EntityQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'GB,UA', description: 'ISO codes, comma-separated (UK and EL accepted)' })
  @IsOptional() @IsString() @MaxLength(1000) country?: string;

  @ApiPropertyOptional({ example: 'energy', description: 'comma-separated' })
  @IsOptional() @IsString() @MaxLength(1000) sector?: string;

  @ApiPropertyOptional({ example: 'organization', description: 'comma-separated' })
  @IsOptional() @IsString() @MaxLength(1000) kind?: string;

  @ApiPropertyOptional({ example: 'medoc', description: 'entities carrying this tag' })
  @IsOptional() @IsString() @MaxLength(64) tag?: string;

  @ApiPropertyOptional({ description: 'case-insensitive substring of the name' })
  @IsOptional() @IsString() @MaxLength(300) q?: string;

  @ApiPropertyOptional({ description: 'direct children of this entity' })
  @IsOptional() @IsString() @Matches(SLUG, { message: 'parentId must be a slug' }) parentId?: string;
}

export class DeleteEntityQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'also delete the subtree and every row referring to it (admin)' })
  @IsOptional() @IsIn(['true', 'false']) cascade?: 'true' | 'false';
}

export class CreateDependencyDto {
  @ApiProperty({ example: 'medoc' }) sourceId: string;
  @ApiProperty({ example: 'maersk-ua' }) targetId: string;
  @ApiProperty({ enum: DEPENDENCY_KINDS }) kind: string;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.8 }) weight: number;
  @ApiPropertyOptional({ default: false }) bidirectional?: boolean;
}

export class DependencyDto extends CreateDependencyDto {
  @ApiProperty() id: number;
  @ApiProperty() declare bidirectional: boolean;
  @ApiProperty() createdAt: Date;
}

export class DependencyPageDto {
  @ApiProperty({ type: [DependencyDto] }) items: DependencyDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class DependencyQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'dependencies touching this entity' })
  @IsOptional() @IsString() @Matches(SLUG, { message: 'entityId must be a slug' }) entityId?: string;

  @ApiPropertyOptional({ enum: ['in', 'out', 'both'], default: 'both', description: 'with entityId: out = it is the source, in = it is the target; bidirectional ones count both ways' })
  @IsOptional() @IsIn(['in', 'out', 'both']) direction?: 'in' | 'out' | 'both';

  @ApiPropertyOptional({ example: 'supply-chain', description: 'comma-separated' })
  @IsOptional() @IsString() @MaxLength(300) kind?: string;
}

export class HierarchyQueryDto {
  @ApiPropertyOptional({ example: 'country,sector,organization', description: 'derived levels below the world root, any order or subset' })
  @IsOptional() @IsString() @MaxLength(100) levels?: string;
}

export class BulkResultDto {
  @ApiProperty() created: number;
}
