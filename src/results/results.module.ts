import { Module } from '@nestjs/common';
import { ResultsService } from './results.service';

/** Finished jobs' stored parts, and assessments' results through each reader's TLP. */
@Module({
  providers: [ResultsService],
  exports: [ResultsService],
})
export class ResultsModule {}
