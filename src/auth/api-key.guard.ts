import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error';
import { requestContext } from '../common/logging/request-context';
import type { Role } from '../domain/vocabulary';
import { ApiKeysService } from './api-keys.service';
import { IS_PUBLIC, ROLES } from './principal';

/**
 * Deny by default: every route needs a valid bearer key and must declare the roles that may
 * call it with @Roles (or be @Public). 401 without a usable key, 403 for a role not listed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers['authorization'];
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new DomainError('UNAUTHENTICATED', 'an API key is required', [
        { field: 'authorization', rule: 'bearer', message: 'send Authorization: Bearer <api key>' },
      ]);
    }
    const principal = await this.keys.authenticate(match[1]);
    if (!principal) {
      throw new DomainError('UNAUTHENTICATED', 'the API key is unknown or revoked', [
        { field: 'authorization', rule: 'validKey', message: 'unknown or revoked API key' },
      ]);
    }
    request.principal = principal;
    const store = requestContext.getStore();
    if (store) Object.assign(store, { keyId: principal.keyId, organizationId: principal.organizationId });
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES, targets);
    if (principal.role === 'admin' && roles) return true;
    if (!roles || !roles.includes(principal.role)) {
      throw new DomainError('FORBIDDEN', `role '${principal.role}' may not call this route`, [
        { field: 'authorization', rule: 'role', message: `allowed roles: ${[...new Set([...(roles ?? []), 'admin'])].join(', ')}` },
      ]);
    }
    return true;
  }
}
