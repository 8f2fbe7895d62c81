/**
 * ISO 3166-1 alpha-2 country codes: every officially assigned code (249, as maintained by the
 * ISO 3166 Maintenance Agency), plus `XK` (Kosovo: a user-assigned code the European Commission,
 * SWIFT and most data sets use). Short English names for display.
 *
 * Input normalisation ({@link normaliseCountry}): trimmed, upper-cased, and the EU's own
 * abbreviations mapped to ISO: `UK` -> `GB`, `EL` -> `GR`. Anything else that is not in the list is
 * refused (no transitional or deleted codes such as `AN`, `CS`, `YU`).
 */
const TABLE =
  'AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania|AM Armenia|' +
  'AO Angola|AQ Antarctica|AR Argentina|AS American Samoa|AT Austria|AU Australia|AW Aruba|AX Åland Islands|' +
  'AZ Azerbaijan|BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh|BE Belgium|BF Burkina Faso|BG Bulgaria|' +
  'BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthélemy|BM Bermuda|BN Brunei Darussalam|BO Bolivia|' +
  'BQ Bonaire, Sint Eustatius and Saba|BR Brazil|BS Bahamas|BT Bhutan|BV Bouvet Island|BW Botswana|BY Belarus|' +
  'BZ Belize|CA Canada|CC Cocos (Keeling) Islands|CD Congo, Democratic Republic of the|CF Central African Republic|' +
  'CG Congo|CH Switzerland|CI Côte d\'Ivoire|CK Cook Islands|CL Chile|CM Cameroon|CN China|CO Colombia|' +
  'CR Costa Rica|CU Cuba|CV Cabo Verde|CW Curaçao|CX Christmas Island|CY Cyprus|CZ Czechia|DE Germany|' +
  'DJ Djibouti|DK Denmark|DM Dominica|DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|' +
  'EH Western Sahara|ER Eritrea|ES Spain|ET Ethiopia|FI Finland|FJ Fiji|FK Falkland Islands (Malvinas)|' +
  'FM Micronesia|FO Faroe Islands|FR France|GA Gabon|GB United Kingdom|GD Grenada|GE Georgia|GF French Guiana|' +
  'GG Guernsey|GH Ghana|GI Gibraltar|GL Greenland|GM Gambia|GN Guinea|GP Guadeloupe|GQ Equatorial Guinea|' +
  'GR Greece|GS South Georgia and the South Sandwich Islands|GT Guatemala|GU Guam|GW Guinea-Bissau|GY Guyana|' +
  'HK Hong Kong|HM Heard Island and McDonald Islands|HN Honduras|HR Croatia|HT Haiti|HU Hungary|ID Indonesia|' +
  'IE Ireland|IL Israel|IM Isle of Man|IN India|IO British Indian Ocean Territory|IQ Iraq|IR Iran|IS Iceland|' +
  'IT Italy|JE Jersey|JM Jamaica|JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati|KM Comoros|' +
  'KN Saint Kitts and Nevis|KP Korea, Democratic People\'s Republic of|KR Korea, Republic of|KW Kuwait|' +
  'KY Cayman Islands|KZ Kazakhstan|LA Lao People\'s Democratic Republic|LB Lebanon|LC Saint Lucia|' +
  'LI Liechtenstein|LK Sri Lanka|LR Liberia|LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|' +
  'MA Morocco|MC Monaco|MD Moldova|ME Montenegro|MF Saint Martin (French part)|MG Madagascar|MH Marshall Islands|' +
  'MK North Macedonia|ML Mali|MM Myanmar|MN Mongolia|MO Macao|MP Northern Mariana Islands|MQ Martinique|' +
  'MR Mauritania|MS Montserrat|MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia|MZ Mozambique|' +
  'NA Namibia|NC New Caledonia|NE Niger|NF Norfolk Island|NG Nigeria|NI Nicaragua|NL Netherlands|NO Norway|' +
  'NP Nepal|NR Nauru|NU Niue|NZ New Zealand|OM Oman|PA Panama|PE Peru|PF French Polynesia|PG Papua New Guinea|' +
  'PH Philippines|PK Pakistan|PL Poland|PM Saint Pierre and Miquelon|PN Pitcairn|PR Puerto Rico|PS Palestine, State of|' +
  'PT Portugal|PW Palau|PY Paraguay|QA Qatar|RE Réunion|RO Romania|RS Serbia|RU Russian Federation|RW Rwanda|' +
  'SA Saudi Arabia|SB Solomon Islands|SC Seychelles|SD Sudan|SE Sweden|SG Singapore|' +
  'SH Saint Helena, Ascension and Tristan da Cunha|SI Slovenia|SJ Svalbard and Jan Mayen|SK Slovakia|' +
  'SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|SR Suriname|SS South Sudan|ST Sao Tome and Principe|' +
  'SV El Salvador|SX Sint Maarten (Dutch part)|SY Syrian Arab Republic|SZ Eswatini|TC Turks and Caicos Islands|' +
  'TD Chad|TF French Southern Territories|TG Togo|TH Thailand|TJ Tajikistan|TK Tokelau|TL Timor-Leste|' +
  'TM Turkmenistan|TN Tunisia|TO Tonga|TR Türkiye|TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|TZ Tanzania|' +
  'UA Ukraine|UG Uganda|UM United States Minor Outlying Islands|US United States of America|UY Uruguay|' +
  'UZ Uzbekistan|VA Holy See|VC Saint Vincent and the Grenadines|VE Venezuela|VG Virgin Islands (British)|' +
  'VI Virgin Islands (U.S.)|VN Viet Nam|VU Vanuatu|WF Wallis and Futuna|WS Samoa|XK Kosovo|YE Yemen|YT Mayotte|' +
  'ZA South Africa|ZM Zambia|ZW Zimbabwe';

/** Code -> short English name. */
export const COUNTRY_NAMES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(TABLE.split('|').map((e) => [e.slice(0, 2), e.slice(3)])),
);

/** Every accepted code (ISO 3166-1 alpha-2 plus XK), sorted. */
export const COUNTRY_CODES: readonly string[] = Object.freeze(Object.keys(COUNTRY_NAMES).sort());

const CODES = new Set(COUNTRY_CODES);

/** Codes some sources write instead of the ISO ones: the EU's `UK` and `EL`. */
export const COUNTRY_ALIASES: Readonly<Record<string, string>> = Object.freeze({ UK: 'GB', EL: 'GR' });

/** Whether `code` is an accepted code as stored (upper case, already normalised). */
export function isCountryCode(code: string): boolean {
  return CODES.has(code);
}

/** The stored code for an input code (trimmed, case-insensitive, `UK`/`EL` mapped), or null when unknown. */
export function normaliseCountry(raw: string): string | null {
  const upper = raw.trim().toUpperCase();
  const code = COUNTRY_ALIASES[upper] ?? upper;
  return CODES.has(code) ? code : null;
}
