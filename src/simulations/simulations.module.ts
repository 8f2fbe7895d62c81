import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { JobsModule } from '../jobs/jobs.module';
import { ModelsModule } from '../models/models.module';
import { ResultsModule } from '../results/results.module';
import { SimulationsController } from './simulations.controller';
import { SimulationsService } from './simulations.service';

/** Researchers' raw model runs: answered at once when small, else a job of kind `simulation`. */
@Module({
  imports: [ConfigModule, JobsModule, ModelsModule, ResultsModule],
  controllers: [SimulationsController],
  providers: [SimulationsService],
})
export class SimulationsModule {}
