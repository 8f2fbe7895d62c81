import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Principal } from '../common/http/principal';
import { DatabaseService } from '../database/database.service';
import { AuditEntry } from './audit-entry.entity';
import { CursorCodec, Page } from '../common/http/pagination';
import type { AuditQueryDto } from './audit-query.dto';
import { insertRows } from '../database/bulk-sql';

/** One entry of `recordMany`. */
export interface AuditRecord {
  at: Date;
  principal: Principal | null;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown> | null;
}

const COLUMNS = ['at', 'keyId', 'organizationId', 'action', 'targetType', 'targetId', 'details'] as const;

const AUDIT_CURSOR = new CursorCodec('audit', ['int'] as const);

@Injectable()
export class AuditService {
  constructor(private readonly db: DatabaseService) {}

  /** Records a write inside the caller's transaction, so the entry exists exactly when the write does. */
  async record(
    manager: EntityManager,
    principal: Principal | null,
    action: string,
    targetType: string,
    targetId: string,
    details: Record<string, unknown> | null = null,
  ): Promise<void> {
    await manager.save(AuditEntry, {
      at: new Date(),
      keyId: principal?.keyId ?? null,
      organizationId: principal?.organizationId ?? null,
      action,
      targetType,
      targetId: targetId.slice(0, 200),
      details,
    });
  }

  /** Many writes at once (a bulk write's one entry per row), in one statement per chunk, inside the caller's transaction. */
  async recordMany(manager: EntityManager, entries: readonly AuditRecord[]): Promise<void> {
    await insertRows(manager, manager.getRepository(AuditEntry).metadata.tableName, COLUMNS, entries.map((e) => [
      e.at, e.principal?.keyId ?? null, e.principal?.organizationId ?? null, e.action, e.targetType, e.targetId.slice(0, 200),
      e.details ? JSON.stringify(e.details) : null,
    ]));
  }

  /** The id of the newest entry about `targetType`, or null (one probe of the (targetType, id) index), inside the caller's transaction. */
  async newestIdWithin(manager: EntityManager, targetType: string): Promise<number | null> {
    const row = await manager.getRepository(AuditEntry).createQueryBuilder('a').select('MAX(a.id)', 'id').where('a.targetType = :targetType', { targetType }).getRawOne<{ id: unknown }>();
    return row?.id == null ? null : Number(row.id);
  }

  list(query: AuditQueryDto): Promise<Page<AuditEntry>> {
    return this.db.read(async (manager) => {
      const qb = manager.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.id', 'DESC').take(query.limit + 1);
      if (query.targetType) qb.andWhere('a.targetType = :targetType', { targetType: query.targetType });
      if (query.targetId) qb.andWhere('a.targetId = :targetId', { targetId: query.targetId });
      if (query.keyId) qb.andWhere('a.keyId = :keyId', { keyId: query.keyId });
      if (query.cursor) qb.andWhere('a.id < :after', { after: AUDIT_CURSOR.decode(query.cursor)[0] });
      const rows = await qb.getMany();
      const more = rows.length > query.limit;
      const items = rows.slice(0, query.limit);
      return { items, nextCursor: more ? AUDIT_CURSOR.encode(items[items.length - 1].id) : null };
    });
  }
}
