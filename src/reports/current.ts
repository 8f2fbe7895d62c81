/**
 * SQL condition: the report row `alias` is current, i.e. no version supersedes it. Reports own
 * this rule; other features filter current reports through it (tlp/policy.ts keeps its own form
 * because, below the features, it cannot import them and its reader-dependent form differs).
 */
export const currentReport = (alias: string): string => `NOT EXISTS (SELECT 1 FROM "reports" "s" WHERE "s"."supersedesId" = "${alias}"."id")`;
