import { Injectable } from '@nestjs/common';
import { invalid } from '../common/errors/domain-error';
import { validateJson } from './json-schema';
import { ModelDescription, MODELS } from './model-catalog';

@Injectable()
export class ModelsService {
  list(): ModelDescription[] {
    return MODELS;
  }

  get(id: string, field = 'model'): ModelDescription {
    const model = MODELS.find((m) => m.id === id);
    if (!model) {
      throw invalid(`unknown model '${id}'`, [{ field, rule: 'isIn', message: `${field} must be one of ${MODELS.map((m) => m.id).join(', ')}` }]);
    }
    return model;
  }

  /** The model, after checking `params` against its assessment (or simulation) parameter schema; 400 with one detail per broken rule. */
  validate(id: string, params: Record<string, unknown> | undefined, kind: 'assessment' | 'simulation' = 'assessment'): ModelDescription {
    const model = this.get(id);
    const schema = kind === 'assessment' ? model.parameters : model.simulationParameters;
    const details = validateJson(params ?? {}, schema, 'params');
    const r = (params ?? {}) as Record<string, { low?: number; high?: number }>;
    for (const name of ['reportingRate', 'containmentHours']) {
      if (kind === 'assessment' && r[name] && typeof r[name].low === 'number' && typeof r[name].high === 'number' && r[name].low! > r[name].high!) {
        details.push({ field: `params.${name}`, rule: 'lowNotAboveHigh', message: `params.${name}.low must not exceed high` });
      }
    }
    if (details.length) throw invalid(`invalid parameters for model '${id}'`, details);
    return model;
  }
}
