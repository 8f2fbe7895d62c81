/**
 * Binds the job code to the simulation core (src/engine). Until the core's assessment API is
 * committed, every call answers 503 so no job pretends to have run.
 */
import { DomainError } from '../common/errors/domain-error';
import type { EngineBinding } from '../jobs/monte-carlo-runner';

const unavailable = () =>
  new DomainError('UNAVAILABLE', 'the simulation core is not available in this build', [{ field: 'model', rule: 'available', message: 'no engine' }]);

export const engineBinding: EngineBinding & { close?: () => Promise<void> } = {
  check: async () => { throw unavailable(); },
  runAll: async () => { throw unavailable(); },
  runShard: async () => { throw unavailable(); },
  merge: () => { throw unavailable(); },
  finalize: async () => { throw unavailable(); },
};
