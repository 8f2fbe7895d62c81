import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { DEPENDENCY_KINDS, ENTITY_KINDS, SECTORS } from '../../domain/vocabulary';
import { SLUG } from '../../domain/ids';
import { DEPENDENCY_FIELD_RULES } from '../../domain/rules/dependency';
import { ENTITY_FIELD_RULES } from '../../domain/rules/entity';
import { FieldRule } from '../../common/http/field-rule.decorator';

const E = ENTITY_FIELD_RULES;
const SLUG_RULES = ['required', 'isString', 'slug'];
const COUNT_RULES = ['isNumber', 'min', 'isInt', 'max'];

/**
 * The body of POST /v1/entities, validated field by field by the entity rules of
 * src/domain/rules/entity.ts (the same rules, rule names and messages as the bulk import).
 */
export class CreateEntityDto {
  @ApiProperty({ example: 'maersk', description: 'client-supplied stable slug' })
  @FieldRule(E.id, SLUG_RULES) id: string;
  @ApiProperty({ example: 'A.P. Moller-Maersk', maxLength: 300 })
  @FieldRule(E.name, ['required', 'isString', 'length']) name: string;
  @ApiPropertyOptional({ enum: ENTITY_KINDS, default: 'organization' })
  @FieldRule(E.kind, ['isIn']) kind?: string;
  @ApiPropertyOptional({ nullable: true, description: 'parent in the hierarchy (organisation > site); no cycles' })
  @FieldRule(E.parentId, ['isString', 'slug', 'cycle']) parentId?: string | null;
  @ApiPropertyOptional({ example: 'DK', nullable: true, description: 'ISO 3166-1 alpha-2; UK and EL are accepted for GB and GR' })
  @FieldRule(E.country, ['isString', 'isoCountry']) country?: string | null;
  @ApiPropertyOptional({ enum: SECTORS, nullable: true, description: 'CISA critical-infrastructure sector' })
  @FieldRule(E.sector, ['isString', 'isIn']) sector?: string | null;
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @FieldRule(E.hosts, COUNT_RULES) hosts?: number;
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'economic output per day, USD' })
  @FieldRule(E.dailyValueUsd, COUNT_RULES) dailyValueUsd?: number;
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @FieldRule(E.populationServed, COUNT_RULES) populationServed?: number;
  @ApiPropertyOptional({ type: [String], example: ['windows', 'smbv1', 'medoc'], description: 'exposure tags, lowercased' })
  @FieldRule(E.tags, ['isArray', 'max', 'tag']) tags?: string[];
  @ApiPropertyOptional({ description: 'defaults to true for protected sectors (UN GGE 2015 norm 13(f)) and kind csirt (13(k))' })
  @FieldRule(E.protected, ['isBoolean']) protected?: boolean;
  @ApiPropertyOptional({ example: 'identity--0a1b2c3d-0000-4000-8000-000000000000', nullable: true })
  @FieldRule(E.stixId, ['stixId']) stixId?: string | null;
}

/**
 * The body of PATCH /v1/entities/:id: any fields of a new entity, each checked by its field rule
 * (400 naming field and rule); then the entity the patch makes (stored fields, then the given
 * ones) passes the entity rules whole, as a new one would, and `id` may be sent only unchanged.
 */
export class UpdateEntityDto extends PartialType(CreateEntityDto) {
  @ApiPropertyOptional({ description: 'when absent and sector or kind changes, recomputed from them' })
  declare protected?: boolean;
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

/** The body of POST /v1/dependencies, validated by the dependency rules of src/domain/rules/dependency.ts. */
export class CreateDependencyDto {
  @ApiProperty({ example: 'medoc' })
  @FieldRule(DEPENDENCY_FIELD_RULES.sourceId, SLUG_RULES) sourceId: string;
  @ApiProperty({ example: 'maersk-ua' })
  @FieldRule(DEPENDENCY_FIELD_RULES.targetId, [...SLUG_RULES, 'selfLoop']) targetId: string;
  @ApiProperty({ enum: DEPENDENCY_KINDS })
  @FieldRule(DEPENDENCY_FIELD_RULES.kind, ['required', 'isIn']) kind: string;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.8 })
  @FieldRule(DEPENDENCY_FIELD_RULES.weight, ['required', 'isNumber', 'range']) weight: number;
  @ApiPropertyOptional({ default: false })
  @FieldRule(DEPENDENCY_FIELD_RULES.bidirectional, ['isBoolean']) bidirectional?: boolean;
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
