import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ResultsService } from './results.service';

/** Finished jobs' stored parts, and assessments' results through each reader's TLP. */
@Module({
  imports: [JobsModule],
  providers: [ResultsService],
  exports: [ResultsService],
})
export class ResultsModule {}
