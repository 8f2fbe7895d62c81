/**
 * TAXII 2.1 content negotiation (OASIS TAXII 2.1 CS01, section 1.6.8): responses are
 * `application/taxii+json;version=2.1`; a request whose Accept admits none of it gets 406, a
 * POST whose Content-Type is not it gets 415.
 */
import { DomainError } from '../common/errors/domain-error';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

interface MediaRange {
  type: string;
  version: string | null;
}

function parse(range: string): MediaRange {
  const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
  const version = params.map((p) => /^version\s*=\s*"?([^"]*)"?$/.exec(p)).find(Boolean)?.[1] ?? null;
  return { type, version };
}

/** Whether an Accept header admits TAXII 2.1 (absent = anything). */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(',').map(parse).some((r) =>
    r.type === '*/*' || r.type === 'application/*' || (r.type === 'application/taxii+json' && (r.version === null || r.version === '2.1')));
}

export function requireAcceptable(accept: string | undefined): void {
  if (acceptsTaxii(accept)) return;
  throw new DomainError('NOT_ACCEPTABLE', `this TAXII server answers ${TAXII_MEDIA_TYPE} only`, [
    { field: 'accept', rule: 'mediaType', message: `send Accept: ${TAXII_MEDIA_TYPE}` },
  ]);
}

export function requireTaxiiContent(contentType: string | undefined): void {
  const r = contentType ? parse(contentType) : null;
  if (r && r.type === 'application/taxii+json' && (r.version === null || r.version === '2.1')) return;
  throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `POST a TAXII envelope as ${TAXII_MEDIA_TYPE}`, [
    { field: 'content-type', rule: 'mediaType', message: `send Content-Type: ${TAXII_MEDIA_TYPE} (got ${JSON.stringify(contentType ?? null)})` },
  ]);
}
