/**
 * The 422 an unstable service-dependency matrix gets, whether the request finds it
 * (ServiceStability) or the job does (the engine binding's error mapping). A plain module: the
 * engine's threads import it, and loading Nest there cost each thread about 0.3 CPU-s.
 */
import { unprocessable, type DomainError } from '../common/errors/domain-error';
import type { UnstableDependencyMatrixError } from '../engine/iim';

export function unstableMatrix(err: UnstableDependencyMatrixError): DomainError {
  return unprocessable(`the dependency matrix is unstable: ${err.message}`, [
    { field: 'dependencies', rule: 'stableMatrix', message: 'the spectral radius of the service-dependency matrix must be below 1 for the inoperability model to have a solution; lower some dependency weights' },
  ]);
}
