import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../common/http/pagination';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'report' }) @IsOptional() @IsString() @MaxLength(32)
  targetType?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  targetId?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(36)
  keyId?: string;
}
