import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse,
  ApiTooManyRequestsResponse, ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response';

/** The auth and error responses every authenticated route shares, for the OpenAPI document. */
export const ApiErrors = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiBadRequestResponse({ type: ErrorResponseDto, description: 'invalid input; details name each field and rule' }),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'missing, unknown or revoked API key' }),
    ApiForbiddenResponse({ type: ErrorResponseDto, description: 'the key\'s role may not call this route' }),
    ApiNotFoundResponse({ type: ErrorResponseDto, description: 'not found (or not visible to this organisation)' }),
    ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'rate limit exceeded' }),
  );
