/**
 * The STIX version of a report is its imported `modified` (StixVersion), else, for a report
 * filed natively, when it was filed. The STIX feature owns that rule and its table; a query on
 * reports that selects versions by their STIX timestamp (a TAXII `match[version]`) is given
 * this condition, so it never names `stix_versions` itself.
 */
export function stixVersionAt(at: Date, param: string): (alias: string) => { sql: string; params: Record<string, unknown> } {
  return (alias) => {
    const imported = `SELECT 1 FROM "stix_versions" "v" WHERE "v"."reportId" = "${alias}"."id"`;
    return {
      sql: `(EXISTS (${imported} AND "v"."modified" = :${param}) OR (NOT EXISTS (${imported}) AND "${alias}"."createdAt" = :${param}))`,
      params: { [param]: at },
    };
  };
}
