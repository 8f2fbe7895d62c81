import { Module } from '@nestjs/common';
import { DashboardAssets } from './dashboard.assets';
import { DashboardController } from './dashboard.controller';

/** The policymakers' web dashboard at `/` (static page; its data comes from the /v1 API). */
@Module({
  controllers: [DashboardController],
  providers: [DashboardAssets],
})
export class DashboardModule {}
