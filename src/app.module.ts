import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AssessmentsModule } from './assessments/assessments.module';
import { AuditModule } from './audit/audit.module';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuthModule } from './auth/auth.module';
import { HttpErrorFilter } from './common/errors/http-exception.filter';
import { LoggingModule } from './common/logging/logging.module';
import { RateLimitGuard } from './common/http/rate-limit.guard';
import { StrictValidationPipe } from './common/http/strict-validation.pipe';
import { UndeclaredQueryInterceptor } from './common/http/undeclared-query.interceptor';
import { WindowCounterStorage } from './common/http/rate-limit.storage';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DecisionsModule } from './decisions/decisions.module';
import { DatabaseModule } from './database/database.module';
import { GraphModule } from './graph/graph.module';
import { HealthModule } from './health/health.module';
import { ReportsModule } from './reports/reports.module';
import { ScenariosModule } from './scenarios/scenarios.module';
import { SimulationsModule } from './simulations/simulations.module';
import { StixModule } from './stix/stix.module';
import { MispModule } from './misp/misp.module';
import { TaxiiModule } from './taxii/taxii.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WeaponsModule } from './weapons/weapons.module';

/** Global behaviour is registered as providers, so an app built from AppModule in tests behaves like production. */
@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    DatabaseModule,
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }],
        storage: new WindowCounterStorage(),
      }),
    }),
    AuditModule,
    AuthModule,
    HealthModule,
    GraphModule,
    WeaponsModule,
    AssessmentsModule,
    SimulationsModule,
    DecisionsModule,
    DashboardModule,
    ReportsModule,
    StixModule,
    ScenariosModule,
    TaxiiModule,
    WebhooksModule,
    MispModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_PIPE, useValue: new StrictValidationPipe() },
    { provide: APP_INTERCEPTOR, useClass: UndeclaredQueryInterceptor },
    // Authenticate first, then count the request against its key's rate limit.
    { provide: APP_GUARD, useExisting: ApiKeyGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class AppModule {}
