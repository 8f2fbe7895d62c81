/**
 * Spillover's simulation core: plain TypeScript (no Nest, no TypeORM), usable as a library,
 * from the CLI and from the service. See ./README.md for the models and the mathematics.
 *
 * Public interface (kept stable):
 *
 * Graphs
 * - `buildGraph(entities, dependencies)` -> `{graph, ids, index}`: CSR graph on SharedArrayBuffers.
 * - `readEdgeList(path, {directed})` -> `{graph, labels, lookup, edges}`: `u v [weight [kind]]` per
 *   line, `#` comments; throws `GraphInputError` (file, line, reason).
 *
 * Scenarios
 * - `prepareScenario({entities, dependencies, weapon, reports, asOf?, horizonHours?})` -> `ScenarioModel`
 *   (`core`: typed arrays shared with workers; `meta`: ids, names, groups). Throws
 *   `ScenarioInputError` (code 'no-reports' when nothing was reported) and
 *   `UnstableDependencyMatrixError` (spectral radius of the service matrix >= 1).
 *
 * Assessments
 * - `runAssessment(model, {runs, model?: 'ic'|'sir', seed?, threads?, confidenceLevel?, calibrate?,
 *   onProgress?, signal?, runRange?, ...})` -> `AssessmentResult` (+ `stats`): `summary`
 *   (total/intended/collateral figures as {mean, median, low, high, level}, protectedHits,
 *   calibration, monteCarloError), `entities`, `groups.country/sector/countrySector` (per-run ranges,
 *   each entry of a `part`: total, intended or collateral), `timeline`, `earlyWarning`,
 *   `runs` (columns + rows for runs.csv). Cancelling via `signal` rejects with `AbortError`.
 * - Calibration samples adaptively by default (`sampler: 'adaptive'`): `pilotProposal(model, options)`
 *   fits the proposal once; pass it as `options.proposal` to every shard (runShard otherwise fits
 *   it itself, deterministically, cached per model). `options.pilotRunner` hands its rounds of
 *   pilot runs to the caller (a queue), which computes slices of them with `pilotSlice(model,
 *   options, z, base)`: the same proposal bit for bit. `sampler: 'prior'` is the original scheme.
 * - Shards for a queue: `runShard(model, [start, end), options)` -> `{partial}`;
 *   `mergePartials([partials])`; `finalizeAssessment(model, partial, options)`.
 *   Run i depends only on (seed, i): any thread count or sharding gives the same runs.
 *
 * Plain simulations
 * - `simulate(graph, {model, transmissibility | rate+recovery, seeds | randomSeeds, runs, seed}, {threads})`
 *   -> final sizes per run (the `simulate` CLI command).
 *
 * Building blocks: `Rng` (xoshiro128**, streams per run), distributions fitted to 90% ranges,
 * spread kernels (`runCascade`, `percolationFinalSize`, `runEvents`), the IIM solver
 * (`solveInoperability`, `spectralRadius`, `dynamicInoperability`), weighted statistics.
 */
export { buildGraph, readEdgeList, parseEdgeList, buildCsr, erdosRenyiEdges, GraphInputError, KIND_SLOTS, kindIndex, kindName } from './graph';
export type { Graph, EntityGraph, EdgeListGraph, EdgeArrays } from './graph';
export { Rng, Substream, mix32 } from './prng';
export { lognormalFromRange, logitNormalFromRange, sampleLognormal, sampleLogitNormal, lognormalMean, lognormalQuantile, normalQuantile, logBinomialPmf, Z95 } from './distributions';
export type { ScaleNormal } from './distributions';
export { runCascade, runEvents, percolationFinalSize, SpreadWorkspace, DelayMode, WindowMode } from './spread';
export type { EventConfig } from './spread';
export { inoperabilityMatrix, denseInoperabilityMatrix, solveInoperability, solveInoperabilitySparse, spectralRadius, checkStable, isStable, dynamicInoperability, IimWorkspace, UnstableDependencyMatrixError } from './iim';
export type { InoperabilityMatrix } from './iim';
export { FunctionalArcs, DEFAULT_FUNCTIONAL_KINDS } from './functional-arcs';
export { prepareScenario, ScenarioInputError } from './model';
export type { PrepareScenarioInput, ScenarioModel, ScenarioCore, ScenarioMeta } from './model';
export type { WeaponModel } from './weapon-model';
export { runAssessment, finalizeAssessment } from './assess';
export { runShard } from './shard';
export { settingsOf } from './options';
export { pilotProposal, pilotSlice } from './pilot';
export { fitProposal, drawReportingRate, drawTransmissibility, DEFAULT_PILOT } from './proposal';
export type { ParameterProposal, PilotOptions } from './proposal';
export type { AssessmentOptions, AssessmentProgress } from './options';
export type { RunStats } from './shard';
export { mergePartials } from './aggregate';
export type { AssessmentResult, AssessmentSummary, FigureSet, ProtectedHit, EntityStat, GroupStat, GroupPart, CountrySectorStat, AssessmentGroups, TimelineBin, EarlyWarningEntity, EarlyWarningWindow, RunTable } from './result';
export { DEFAULT_SETTINGS } from './settings';
export { FIGURES, SPLITS, GROUP_VALUES } from './partial';
export type { RunSettings } from './settings';
export type { AssessmentPartial } from './partial';
export { simulate, simulateRange, resolveSpec, methodOf, timeSeriesOf, historiesOf } from './simulate';
export type { SimulateSpec, SimulateOptions, SimulateResult, RunHistory } from './simulate';
export { AbortError } from './pool';
export { WeightedSample, wilson, kish, rangeError } from './stats';
export type { Range, Probability, RangeError } from './stats';
