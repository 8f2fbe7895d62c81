/**
 * Leaf rules for one field value (country codes, sector slugs, slugs, tags), shared by the
 * single-entity DTOs, the bulk validator and the scenario loader.
 *
 * NOTE: country and sector rules belong to src/scenario/ (countries.ts, sectors.ts), being
 * written in parallel; until it lands this file carries a minimal copy, and then only
 * re-exports it. Keep callers on these names.
 */
import { SECTORS } from '../domain/vocabulary';

/** ISO 3166-1 alpha-2 officially assigned codes, plus XK (Kosovo, user-assigned but in common use). */
const ISO_COUNTRIES = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW').split(' '),
);
/** Codes the EU (and others) write for ISO ones. */
const COUNTRY_ALIASES: Record<string, string> = { UK: 'GB', EL: 'GR' };

/** The ISO code for an input code (case-insensitive, EU aliases mapped), or null when unknown. */
export function normaliseCountry(raw: string): string | null {
  const upper = raw.trim().toUpperCase();
  const code = COUNTRY_ALIASES[upper] ?? upper;
  return ISO_COUNTRIES.has(code) ? code : null;
}

/** The CISA sector slug for an input, or null when it is not one. */
export function normaliseSector(raw: string): string | null {
  const slug = raw.trim().toLowerCase();
  return (SECTORS as readonly string[]).includes(slug) ? slug : null;
}

/** Client-supplied ids: lowercase slugs (same rule as organisations). */
export const SLUG = /^[a-z0-9][a-z0-9._:-]{0,127}$/;
/** Exposure tags: lowercase, short, no spaces (`windows`, `smbv1`, `medoc`, `step7`). */
export const TAG = /^[a-z0-9][a-z0-9._+:-]{0,63}$/;
