import { COUNTRY_CODES, isCountryCode, normaliseCountry } from '../../../src/domain/countries';
import {
  isSector, normaliseSector, NIS2_ANNEX_I, NIS2_ANNEX_II, NIS2_TO_SECTOR, SECTOR_TO_NIS2, SECTOR_TO_STIX, sectorFromNis2, sectorFromStix,
  sectorFromStixList, sectorToNis2, sectorToStix, STIX_INDUSTRY_SECTORS, STIX_TO_SECTOR,
} from '../../../src/domain/sectors';
import { SECTORS } from '../../../src/domain/vocabulary';

describe('countries', () => {
  it('lists the 249 ISO 3166-1 alpha-2 codes plus XK', () => {
    expect(COUNTRY_CODES).toHaveLength(250);
    for (const c of ['UA', 'GB', 'GR', 'US', 'IR', 'ID', 'IN', 'XK', 'SS', 'CW', 'BQ', 'AX']) expect(isCountryCode(c)).toBe(true);
  });
  it('normalises case, whitespace and the EU aliases UK and EL', () => {
    expect(normaliseCountry('ua')).toBe('UA');
    expect(normaliseCountry(' gb ')).toBe('GB');
    expect(normaliseCountry('UK')).toBe('GB');
    expect(normaliseCountry('uk')).toBe('GB');
    expect(normaliseCountry('EL')).toBe('GR');
    expect(normaliseCountry('xk')).toBe('XK');
  });
  it('refuses unknown, withdrawn and malformed codes', () => {
    for (const c of ['ZZ', 'AN', 'YU', 'CS', 'EU', 'USA', 'U', '', '12']) expect(normaliseCountry(c)).toBeNull();
  });
});

describe('sectors', () => {
  it('maps every CISA sector to STIX values that map back to it', () => {
    for (const s of SECTORS) {
      expect(sectorToStix(s).length).toBeGreaterThan(0);
      expect(sectorFromStix(sectorToStix(s)[0])).toBe(s);
      for (const v of sectorToStix(s)) expect(STIX_INDUSTRY_SECTORS).toContain(v);
    }
  });
  it('maps every STIX industry-sector-ov value (null only for the ambiguous "infrastructure")', () => {
    expect(Object.keys(STIX_TO_SECTOR).sort()).toEqual([...STIX_INDUSTRY_SECTORS].sort());
    for (const v of STIX_INDUSTRY_SECTORS) if (v !== 'infrastructure') expect(isSector(STIX_TO_SECTOR[v]!)).toBe(true);
    expect(sectorFromStix('pharmaceuticals')).toBe('healthcare-and-public-health');
    expect(sectorFromStix('utilities')).toBe('energy');
    expect(sectorFromStix('telecommunications')).toBe('communications');
    expect(sectorFromStix('government-national')).toBe('government-facilities');
    expect(sectorFromStix('government-emergency-services')).toBe('emergency-services');
    expect(sectorFromStix('infrastructure')).toBeNull();
    expect(sectorFromStix('nonsense')).toBeNull();
    expect(sectorFromStixList(['infrastructure', 'utilities'])).toBe('energy');
  });
  it('maps to and from NIS2 Annex I and II', () => {
    expect(Object.keys(SECTOR_TO_NIS2).sort()).toEqual([...SECTORS].sort());
    expect(Object.keys(NIS2_TO_SECTOR).sort()).toEqual([...NIS2_ANNEX_I, ...NIS2_ANNEX_II].sort());
    expect(sectorToNis2('healthcare-and-public-health')).toEqual([{ sector: 'health', annex: 'I' }]);
    expect(sectorToNis2('chemical')).toEqual([{ sector: 'chemicals', annex: 'II' }]);
    expect(sectorToNis2('defense-industrial-base')).toEqual([]);
    expect(sectorFromNis2('drinking-water')).toBe('water-and-wastewater');
    for (const s of SECTORS) for (const n of SECTOR_TO_NIS2[s]) expect(isSector(NIS2_TO_SECTOR[n])).toBe(true);
  });
  it('normalises sector input', () => {
    expect(normaliseSector(' Energy ')).toBe('energy');
    expect(normaliseSector('financial services')).toBe('financial-services');
    expect(normaliseSector('water')).toBeNull();
    expect(normaliseSector('infrastructure')).toBeNull();
  });
  it('accepts STIX industry-sector-ov and NIS2 values for a sector, as the CISA sector they map to', () => {
    expect(normaliseSector('transportation')).toBe('transportation-systems');
    expect(normaliseSector('healthcare')).toBe('healthcare-and-public-health');
    expect(normaliseSector('Government Emergency Services')).toBe('emergency-services');
    expect(normaliseSector('transport')).toBe('transportation-systems');
    expect(normaliseSector('drinking_water')).toBe('water-and-wastewater');
    expect(normaliseSector('banking')).toBe('financial-services');
    // a slug in both vocabularies means the same sector in both
    for (const n of [...NIS2_ANNEX_I, ...NIS2_ANNEX_II]) {
      const viaStix = sectorFromStix(n);
      if (viaStix) expect([n, viaStix]).toEqual([n, sectorFromNis2(n)]);
    }
  });
});
