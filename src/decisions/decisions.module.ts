import { Module } from '@nestjs/common';
import { AssessmentsModule } from '../assessments/assessments.module';
import { ResultsModule } from '../results/results.module';
import { WeaponsModule } from '../weapons/weapons.module';
import { DecisionsController } from './decisions.controller';
import { CounterfactualsService } from './counterfactuals.service';
import { DecisionsService } from './decisions.service';

/** What a decision-maker asks after the headline: exceedance, the asOf series, the briefing. */
@Module({
  imports: [AssessmentsModule, ResultsModule, WeaponsModule],
  controllers: [DecisionsController],
  providers: [DecisionsService, CounterfactualsService],
})
export class DecisionsModule {}
