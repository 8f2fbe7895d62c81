import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { DomainError } from '../common/errors/domain-error';
import type { Role } from '../domain/vocabulary';
import { ApiKeysService } from './api-keys.service';
import { FailedAuthentications } from './failed-authentications';
import { IS_PUBLIC, ROLES } from '../common/http/principal';

/**
 * Deny by default: every route needs a valid bearer key and must declare the roles that may
 * call it with @Roles (or be @Public). 401 without a usable key, 403 for a role not listed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly failures: FailedAuthentications,
    private readonly log: PinoLogger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest();
    const secret = keyOf(request.headers['authorization']);
    // Rate limiting comes before any authentication work: an address that keeps failing is refused
    // without a key lookup, unless its key was authenticated moments ago.
    const address: string = request.ip ?? 'unknown';
    const remembered = secret ? this.keys.remembered(secret) : null;
    if (!remembered) this.failures.refuseIfOverBudget(address, context.switchToHttp().getResponse());
    if (!secret) {
      await this.failures.record(address);
      throw new DomainError('UNAUTHENTICATED', 'an API key is required', [
        { field: 'authorization', rule: 'bearer', message: 'send Authorization: Bearer <api key> (or HTTP Basic with the key as password)' },
      ]);
    }
    const principal = remembered ?? (await this.keys.authenticate(secret));
    if (!principal) {
      await this.failures.record(address);
      throw new DomainError('UNAUTHENTICATED', 'the API key is unknown or revoked', [
        { field: 'authorization', rule: 'validKey', message: 'unknown or revoked API key' },
      ]);
    }
    request.principal = principal;
    // The request's later log lines, and its access line, name the key and its organisation.
    this.log.assign({ keyId: principal.keyId, organizationId: principal.organizationId });
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

/**
 * The API key of an Authorization header: `Bearer <key>`, or HTTP Basic with the key as the
 * password (any user name), the habit of TAXII clients.
 */
function keyOf(header: string | undefined): string | null {
  const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (bearer) return bearer[1];
  const basic = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password || null;
}
