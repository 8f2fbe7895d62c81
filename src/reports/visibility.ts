/** The TLP policy lives in src/tlp/policy.ts (every feature reads through it); reports import it from here too. */
export * from '../tlp/policy';
