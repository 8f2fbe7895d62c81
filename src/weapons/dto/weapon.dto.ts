import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsIn, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min,
  MinLength, registerDecorator, ValidateNested, ValidationArguments, ValidationOptions,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { PAYLOADS, SECTORS, type DependencyKind, type Payload } from '../../domain/vocabulary';
import { SLUG, SLUG_MESSAGE, TAG } from '../../domain/ids';
import { normaliseCountry } from '../../domain/countries';
import { normaliseSector } from '../../domain/sectors';
import { IsDateTime } from '../../common/http/is-date-time.decorator';

/** `high` must not be below `low` of the same range; the error names the `high` field. */
function NotBelow(property: string, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'order',
      target: object.constructor,
      propertyName,
      constraints: [property],
      options: { message: `$property must be >= ${property} (a 90% range is {low, high} with low <= high)`, ...options },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const low = (args.object as Record<string, unknown>)[args.constraints[0]];
          return typeof value !== 'number' || typeof low !== 'number' || value >= low;
        },
      },
    });
}

/** Strictly positive (for probabilities in (0,1]). */
function Positive(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'exclusiveMin',
      target: object.constructor,
      propertyName,
      options: { message: '$property must be greater than 0', ...options },
      validator: { validate: (value: unknown) => typeof value !== 'number' || value > 0 },
    });
}

/** Each element is an ISO 3166-1 alpha-2 code (after UK->GB, EL->GR). */
function IsCountryList(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isoCountry',
      target: object.constructor,
      propertyName,
      options: { message: '$property must hold ISO 3166-1 alpha-2 codes', ...options },
      validator: { validate: (value: unknown) => !Array.isArray(value) || value.every((c) => typeof c === 'string' && /^[A-Z]{2}$/.test(c) && normaliseCountry(c) === c) },
    });
}

const finite = { allowNaN: false, allowInfinity: false };

/** A probability range in (0,1]. */
export class ProbabilityRangeDto {
  @ApiProperty({ example: 0.2, exclusiveMinimum: true, minimum: 0, maximum: 1 })
  @IsDefined() @IsNumber(finite) @Positive() @Max(1) low: number;
  @ApiProperty({ example: 0.6, exclusiveMinimum: true, minimum: 0, maximum: 1 })
  @IsDefined() @IsNumber(finite) @Positive() @Max(1) @NotBelow('low') high: number;
}

/** A share range in [0,1]. */
export class UnitRangeDto {
  @ApiProperty({ example: 0.3, minimum: 0, maximum: 1 }) @IsDefined() @IsNumber(finite) @Min(0) @Max(1) low: number;
  @ApiProperty({ example: 0.9, minimum: 0, maximum: 1 }) @IsDefined() @IsNumber(finite) @Min(0) @Max(1) @NotBelow('low') high: number;
}

/** A non-negative range (hours, days, dollars). */
export class NonNegativeRangeDto {
  @ApiProperty({ example: 1, minimum: 0 }) @IsDefined() @IsNumber(finite) @Min(0) low: number;
  @ApiProperty({ example: 24, minimum: 0 }) @IsDefined() @IsNumber(finite) @Min(0) @NotBelow('low') high: number;
}

export class VectorDto {
  @ApiProperty({ type: ProbabilityRangeDto, description: 'probability of infecting a susceptible target along an arc of weight 1: 90% range in (0,1]' })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ProbabilityRangeDto) transmissibility: ProbabilityRangeDto;

  @ApiProperty({ type: NonNegativeRangeDto, description: 'hours from the source\'s infection to the target\'s: 90% range' })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => NonNegativeRangeDto) delayHours: NonNegativeRangeDto;
}

const vector = () => (target: object, key: string) => {
  ApiPropertyOptional({ type: VectorDto })(target, key);
  IsOptional()(target, key);
  IsObject()(target, key);
  ValidateNested()(target, key);
  Type(() => VectorDto)(target, key);
};

/** One optional vector per dependency kind; other keys are refused. */
export class VectorsDto implements Partial<Record<DependencyKind, VectorDto>> {
  @vector() network?: VectorDto;
  @vector() 'supply-chain'?: VectorDto;
  @vector() service?: VectorDto;
  @vector() 'shared-infrastructure'?: VectorDto;
  @vector() 'removable-media'?: VectorDto;
  @vector() email?: VectorDto;
  @vector() 'corporate-wan'?: VectorDto;
}

export class TargetingDto {
  @ApiPropertyOptional({ type: [String], example: ['natanz'], description: 'entities intended as targets (exactly these ids)' })
  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @Matches(SLUG, { each: true, message: 'each entity id must be a slug' }) entityIds?: string[];

  @ApiPropertyOptional({ type: [String], example: ['UA'], description: 'ISO 3166-1 alpha-2 (UK and EL accepted)' })
  @IsOptional() @IsArray() @ArrayMaxSize(300)
  @Transform(({ value }) => (Array.isArray(value) ? value.map((c) => (typeof c === 'string' ? (normaliseCountry(c) ?? c) : c)) : value))
  @IsCountryList() countries?: string[];

  @ApiPropertyOptional({ type: [String], enum: SECTORS, isArray: true, description: 'CISA sectors; STIX industry-sector-ov and NIS2 values are accepted and stored as the CISA sector (docs/interop.md)' })
  @IsOptional() @IsArray()
  @Transform(({ value }) => (Array.isArray(value) ? value.map((s) => (typeof s === 'string' ? (normaliseSector(s) ?? s) : s)) : value))
  @IsIn(SECTORS, { each: true }) sectors?: string[];

  @ApiPropertyOptional({ type: [String], example: ['step7'] })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Matches(TAG, { each: true, message: 'each tag must be lowercase letters, digits and . _ + : -' }) tags?: string[];
}

export class ImpactDto {
  @ApiProperty({ type: ProbabilityRangeDto, description: 'share of an infected entity\'s hosts hit, in (0,1]' })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ProbabilityRangeDto) hostShare: ProbabilityRangeDto;

  @ApiProperty({ type: NonNegativeRangeDto, description: 'cost per host hit, USD' })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => NonNegativeRangeDto) costPerHostUsd: NonNegativeRangeDto;

  @ApiProperty({ type: NonNegativeRangeDto, description: 'downtime of an infected entity, days' })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => NonNegativeRangeDto) downtimeDays: NonNegativeRangeDto;

  @ApiPropertyOptional({ type: UnitRangeDto, description: 'inoperability c of an infected entity, in [0,1]' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => UnitRangeDto) inoperability?: UnitRangeDto;
}

export class CreateWeaponDto {
  @ApiProperty({ example: 'notpetya' })
  @IsString() @Matches(SLUG, { message: SLUG_MESSAGE }) id: string;

  @ApiProperty({ example: 'NotPetya' })
  @IsString() @MinLength(1) @MaxLength(300) name: string;

  @ApiPropertyOptional({ type: [String], example: ['ExPetr', 'Nyetya'] })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(300, { each: true }) aliases?: string[];

  @ApiProperty({ enum: PAYLOADS })
  @IsIn(PAYLOADS) payload: Payload;

  @ApiProperty({ type: VectorsDto, description: 'per dependency kind the weapon travels along' })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => VectorsDto) vectors: VectorsDto;

  @ApiPropertyOptional({ type: [String], example: ['windows'], description: 'an entity is susceptible only if it carries all of them' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Matches(TAG, { each: true, message: 'each tag must be lowercase letters, digits and . _ + : -' }) requiredTags?: string[];

  @ApiPropertyOptional({ type: TargetingDto, description: 'intended targets; everything else hit is collateral' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TargetingDto) targeting?: TargetingDto;

  @ApiProperty({ type: ImpactDto })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ImpactDto) impact: ImpactDto;

  @ApiPropertyOptional({ type: NonNegativeRangeDto, description: 'hours an infected entity keeps spreading before it is contained' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => NonNegativeRangeDto) containmentHours?: NonNegativeRangeDto;

  @ApiPropertyOptional({ example: '2017-05-12T15:03:00Z', nullable: true, description: 'no new infections after it' })
  @IsOptional() @IsDateTime() killSwitchAt?: string | null;

  @ApiPropertyOptional({ example: '2017-06-27T08:00:00Z', nullable: true })
  @IsOptional() @IsDateTime() firstSeenAt?: string | null;

  @ApiPropertyOptional({ default: true, description: 'false for placeholders created from a STIX import' })
  @IsOptional() @IsBoolean() characterised?: boolean;

  @ApiPropertyOptional({ example: 'malware--0a1b2c3d-0000-4000-8000-000000000000', nullable: true })
  @IsOptional() @Matches(/^malware--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: 'stixId must be malware--<uuid>' }) stixId?: string | null;
}

/** PATCH replaces each given top-level field whole (e.g. `vectors` as a whole); `id` cannot change. */
export class UpdateWeaponDto extends PartialType(OmitType(CreateWeaponDto, ['id'] as const)) {}

export class WeaponDto extends CreateWeaponDto {
  @ApiProperty({ type: [String] }) declare aliases: string[];
  @ApiProperty({ type: [String] }) declare requiredTags: string[];
  @ApiProperty({ type: TargetingDto }) declare targeting: TargetingDto;
  @ApiProperty() declare characterised: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class WeaponPageDto {
  @ApiProperty({ type: [WeaponDto] }) items: WeaponDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class WeaponQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'case-insensitive substring of the name or an alias' })
  @IsOptional() @IsString() @MaxLength(300) q?: string;
}
