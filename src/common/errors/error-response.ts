import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({ example: 'country' }) field: string;
  @ApiProperty({ example: 'isIn' }) rule: string;
  @ApiProperty({ example: 'country must be an ISO 3166-1 alpha-2 code' }) message: string;
  @ApiPropertyOptional({ description: '1-based data row of a bulk request' }) row?: number;
}

/** The one error shape of the API. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ example: 'Bad Request' }) error: string;
  @ApiProperty({ example: 'invalid input: country' }) message: string;
  @ApiProperty({ type: [ErrorDetailDto] }) details: ErrorDetailDto[];
}
