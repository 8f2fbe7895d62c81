/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list works from
 * compiled JS, from TypeScript under jest, and from the TypeORM CLI via ormconfig.ts.
 * A feature that changes the schema adds its migration class here.
 */
import { Foundation1764201600000 } from './1764201600000-foundation';
import { DependencyModel1764205200000 } from './1764205200000-dependency-model';
import { Reports1764212400000 } from './1764212400000-reports';
import { Assessments1764216000000 } from './1764216000000-assessments';
import { AssessmentHeadline1764223200000 } from './1764223200000-assessment-headline';
import { StixVersions1764230400000 } from './1764230400000-stix-versions';
import { TaxiiStatuses1764234000000 } from './1764234000000-taxii-statuses';
import { Webhooks1764237600000 } from './1764237600000-webhooks';
import { TlpReads1764240000000 } from './1764240000000-tlp-reads';
import { ApiKeyPrefixDropped1764893100000 } from './1764893100000-api-key-prefix-dropped';
import { EvidenceVersions1764903600000 } from './1764903600000-evidence-versions';
import { Jobs1796503433000 } from './1796503433000-jobs';
import { IngestIndexes1796503684000 } from './1796503684000-ingest-indexes';
import { AssessmentEvidence1796516400000 } from './1796516400000-assessment-evidence';
import { ResultCompression1796565600000 } from './1796565600000-result-compression';

export const MIGRATIONS = [
  Foundation1764201600000,
  DependencyModel1764205200000,
  Reports1764212400000,
  Assessments1764216000000,
  AssessmentHeadline1764223200000,
  StixVersions1764230400000,
  TaxiiStatuses1764234000000,
  Webhooks1764237600000,
  TlpReads1764240000000,
  ApiKeyPrefixDropped1764893100000,
  EvidenceVersions1764903600000,
  Jobs1796503433000,
  IngestIndexes1796503684000,
  AssessmentEvidence1796516400000,
  ResultCompression1796565600000,
];
