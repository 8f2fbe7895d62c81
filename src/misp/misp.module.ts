import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GraphModule } from '../graph/graph.module';
import { ReportsModule } from '../reports/reports.module';
import { StixModule } from '../stix/stix.module';
import { WeaponsModule } from '../weapons/weapons.module';
import { MispController } from './misp.controller';
import { MispService } from './misp.service';

/** MISP core format in and MISP feeds out. */
@Module({
  imports: [AuthModule, ReportsModule, StixModule, GraphModule, WeaponsModule],
  controllers: [MispController],
  providers: [MispService],
})
export class MispModule {}
