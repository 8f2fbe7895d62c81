import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { EntityManager } from 'typeorm';
import { DEMO } from '../common/http/api-example';
import { uuidV5 } from '../domain/stix-ids';
import { AssessmentsService } from '../assessments/assessments.service';
import { AuditService } from '../audit/audit.service';
import { ADMIN_ORGANIZATION_ID, ApiKeysService } from '../auth/api-keys.service';
import type { Principal } from '../common/http/principal';
import { conflict, DomainError, invalid, notFound } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { DependenciesService } from '../graph/dependencies.service';
import { EntitiesService } from '../graph/entities.service';
import { ReportWriter } from '../reports/report-writer';
import { readScenario, ScenarioData, ScenarioError, SCENARIO_FILES } from '../scenario-format';
import { WeaponsService } from '../weapons/weapons.service';
import { fixturesDir } from './fixtures-dir';

export const DEMO_FIXTURE = 'notpetya-2017';
/** The demo assessment: enough runs for stable 90% ranges, a fixed seed so every demo shows the same figures. */
const DEMO_RUNS = 2000;
const DEMO_SEED = 2017;
/** Writes made by the service itself, not by a key holder. */
const SYSTEM_PRINCIPAL: Principal = { keyId: 'system', organizationId: ADMIN_ORGANIZATION_ID, role: 'admin' };
/** Fixture names: one path segment, no dots at the start, so nothing outside the fixtures folder is reachable. */
const FIXTURE_NAME = /^[a-z0-9][a-z0-9_-]{0,99}$/;

export interface LoadSummary {
  scenario: string;
  title: string;
  weaponId: string;
  /** The organisation the scenario's reports are filed under (created when missing). */
  organizationId: string;
  /** Entities created, and those already stored that the scenario reuses. */
  entities: number;
  entitiesReused: number;
  dependencies: number;
  dependenciesReused: number;
  reports: number;
  ms: number;
}

export interface FixtureInfo {
  name: string;
  title: string;
  weaponId: string;
}

/** Reports of a scenario are filed by one organisation per scenario, so their TLP owner is explicit. */
export const scenarioOrganizationId = (scenarioId: string) => `scenario-${scenarioId}`.slice(0, 128);

/**
 * A scenario report's id in the database: UUIDv5 of the scenario and the file's own report id, so
 * a scenario's reports have the same ids wherever it is loaded (the API examples name one).
 */
export const scenarioReportId = (scenarioId: string, reportId: string) => uuidV5(`scenario-report:${scenarioId}:${reportId}`);

/**
 * Writes scenario folders (src/scenario-format's format, read and validated by `readScenario`) into
 * the database: entities, dependencies, the weapon and its reports in ONE transaction, so a
 * failed load leaves nothing behind. Loads the NotPetya demo, and queues an assessment of it,
 * into an empty database at start when DEMO_SCENARIO is true.
 */
@Injectable()
export class ScenariosService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Scenarios');

  constructor(
    private readonly db: DatabaseService,
    private readonly audit: AuditService,
    private readonly entities: EntitiesService,
    private readonly dependencies: DependenciesService,
    private readonly weapons: WeaponsService,
    private readonly reports: ReportWriter,
    private readonly assessments: AssessmentsService,
    private readonly organizations: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Inside the caller's transaction. A scenario whose weapon is already stored is refused (409:
   * already loaded). Entities and dependencies already stored (the same real-world organisation
   * in two scenarios, e.g. FedEx in NotPetya and WannaCry) are reused, not duplicated: the model
   * is one graph, and the summary counts them as reused.
   */
  async loadWithin(m: EntityManager, data: ScenarioData, actor: Principal | null): Promise<Omit<LoadSummary, 'ms'>> {
    const { scenario } = data;
    if ((await this.weapons.findManyWithin(m, [data.weapon.id])).length) {
      throw conflict(`scenario '${scenario.id}' is already loaded: weapon '${data.weapon.id}' exists`, [
        { field: 'weapon.id', rule: 'unique', message: `weapon '${data.weapon.id}' already exists` },
      ]);
    }
    const storedEntities = new Set(await this.entities.storedIndicesWithin(m, data.entities.map((e) => e.id)));
    const newEntities = data.entities.filter((_, i) => !storedEntities.has(i));
    const storedDeps = new Set(await this.dependencies.storedIndicesWithin(m, data.dependencies));
    const newDependencies = data.dependencies.filter((_, i) => !storedDeps.has(i));
    const organizationId = scenarioOrganizationId(scenario.id);
    if (await this.organizations.ensureOrganizationWithin(m, organizationId, `Scenario: ${scenario.title}`.slice(0, 200))) {
      await this.audit.record(m, actor, 'create', 'organization', organizationId, { scenario: scenario.id });
    }
    await this.entities.createWithin(m, newEntities, actor, { auditAction: 'bulk-create' });
    const dependencies = await this.dependencies.createWithin(m, newDependencies, actor, { auditAction: 'bulk-create' });
    await this.weapons.createWithin(m, data.weapon, actor);
    const reportIds = data.reports.length ? await this.reports.insertWithin(m, data.reports, actor, organizationId, data.reports.map((r) => (r.id ? scenarioReportId(scenario.id, r.id) : undefined))) : [];
    await this.audit.record(m, actor, 'load', 'scenario', scenario.id, {
      entities: newEntities.length, entitiesReused: storedEntities.size, dependencies, dependenciesReused: storedDeps.size,
      reports: reportIds.length, weaponId: data.weapon.id,
    });
    return {
      scenario: scenario.id, title: scenario.title, weaponId: data.weapon.id, organizationId,
      entities: newEntities.length, entitiesReused: storedEntities.size, dependencies, dependenciesReused: storedDeps.size, reports: reportIds.length,
    };
  }

  /** Reads, validates (422 listing every problem with its file) and loads a scenario folder in one transaction. */
  async loadDir(dir: string, actor: Principal | null): Promise<LoadSummary> {
    const t0 = Date.now();
    let data: ScenarioData;
    try {
      data = await readScenario(dir);
    } catch (err) {
      if (err instanceof ScenarioError) {
        throw new DomainError('UNPROCESSABLE', `scenario folder has ${err.problems.length} problem(s)`, err.problems.map(({ file, row, field, rule, message }) => ({
          ...(row !== undefined ? { row } : {}), field: `${file}:${field}`, rule, message,
        })));
      }
      throw err;
    }
    const summary = await this.db.write((m) => this.loadWithin(m, data, actor));
    return { ...summary, ms: Date.now() - t0 };
  }

  /** Loads a bundled fixture by folder name (only folders directly under the fixtures directory). */
  loadFixture(name: string, actor: Principal | null): Promise<LoadSummary> {
    return this.loadDir(this.fixturePath(name), actor);
  }

  /** The bundled fixtures with their titles. */
  listFixtures(): FixtureInfo[] {
    const root = fixturesDir();
    if (!existsSync(root)) return [];
    return readdirSync(root)
      .filter((name) => FIXTURE_NAME.test(name) && existsSync(join(root, name, SCENARIO_FILES.scenario)))
      .sort()
      .map((name) => {
        try {
          const meta = JSON.parse(readFileSync(join(root, name, SCENARIO_FILES.scenario), 'utf8'));
          return { name, title: String(meta.title ?? name), weaponId: String(meta.weaponId ?? '') };
        } catch {
          return { name, title: name, weaponId: '' };
        }
      });
  }

  /** Resolves a fixture name to its folder, refusing anything that could leave the fixtures directory. */
  fixturePath(name: string): string {
    if (typeof name !== 'string' || !FIXTURE_NAME.test(name)) {
      throw invalid('invalid scenario name', [{ field: 'name', rule: 'fixtureName', message: 'a fixture folder name: lowercase letters, digits, - and _ (no paths)' }]);
    }
    const root = realpathSync.native(fixturesDir());
    const dir = resolve(root, name);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw notFound('scenario', name, 'name');
    const real = realpathSync.native(dir);
    if (!real.startsWith(root + sep)) throw notFound('scenario', name, 'name');
    return real;
  }

  /** `npm start` on an empty database with DEMO_SCENARIO=true loads the NotPetya demo. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoScenario) return;
    if ((await this.entities.count()) > 0) return;
    try {
      const summary = await this.loadFixture(DEMO_FIXTURE, null);
      this.logger.log({ msg: 'loaded the demo scenario into the empty database', ...summary });
      // The dashboard opens on an estimate, so the demo comes with one, computed in the background.
      const meta = JSON.parse(readFileSync(join(this.fixturePath(DEMO_FIXTURE), SCENARIO_FILES.scenario), 'utf8'));
      const assessment = await this.assessments.create(
        { weaponId: summary.weaponId, asOf: meta.asOf, horizonHours: meta.horizonHours ?? 72, model: 'sir', runs: DEMO_RUNS, seed: DEMO_SEED, confidenceLevel: 0.9, calibrate: true },
        SYSTEM_PRINCIPAL,
        DEMO.assessmentId,
      );
      this.logger.log({ msg: 'queued the demo assessment', assessmentId: assessment.id, runs: DEMO_RUNS, seed: DEMO_SEED });
    } catch (err) {
      // A broken demo must not keep the service from starting; the log says why.
      this.logger.error({ msg: 'could not load the demo scenario', scenario: DEMO_FIXTURE, error: err instanceof Error ? err.message : String(err), details: err instanceof DomainError ? err.details.slice(0, 20) : undefined });
    }
  }
}
