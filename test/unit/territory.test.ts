import {
  ATS_NETWORKS,
  PATRON_SAINTS,
  PROVINCES,
  atsForProvince,
  findProvince,
  isDomainError,
  isProvinceInAts,
} from '../../domain';

describe('Lombardy territory', () => {
  it('has 12 provinces with distinct codes and 8 ATS', () => {
    expect(PROVINCES).toHaveLength(12);
    expect(new Set(PROVINCES.map((p) => p.code))).toEqual(
      new Set(['BG', 'BS', 'CO', 'CR', 'LC', 'LO', 'MN', 'MI', 'MB', 'PV', 'SO', 'VA']),
    );
    expect(ATS_NETWORKS).toHaveLength(8);
    expect(new Set(ATS_NETWORKS.map((a) => a.code)).size).toBe(8);
  });

  it('lists every province in exactly one ATS and nothing else', () => {
    for (const province of PROVINCES) {
      const listing = ATS_NETWORKS.filter((a) => a.provinces.includes(province.code));
      expect(listing).toHaveLength(1);
      expect(atsForProvince(province.code)).toBe(listing[0]);
    }
    const listed = ATS_NETWORKS.flatMap((a) => a.provinces);
    expect(listed).toHaveLength(12);
  });

  it('maps provinces to their ATS', () => {
    expect(atsForProvince('MI').code).toBe('ats-milano');
    expect(atsForProvince('LO').code).toBe('ats-milano');
    expect(atsForProvince('mb').code).toBe('ats-brianza');
    expect(atsForProvince('SO').code).toBe('ats-montagna');
    expect(atsForProvince('BS').code).toBe('ats-brescia');
    expect(atsForProvince('CO').code).toBe('ats-insubria');
    expect(atsForProvince('MN').code).toBe('ats-val-padana');
  });

  it('rejects unknown provinces with a domain error', () => {
    let caught: unknown;
    try {
      atsForProvince('TO');
    } catch (e) {
      caught = e;
    }
    expect(isDomainError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'unknown_province' });
  });

  it('gives every capoluogo a patron saint entry', () => {
    for (const province of PROVINCES) expect(PATRON_SAINTS[province.capoluogo]).toBeDefined();
    expect(PROVINCES.find((p) => p.code === 'MB')?.capoluogo).toBe('monza');
  });

  it.each([
    ['MI', 'MI'],
    ['mi', 'MI'],
    ['Milano', 'MI'],
    ['Milan', 'MI'],
    ['monza e brianza', 'MB'],
    ['Monza-Brianza', 'MB'],
    ['Monza e della Brianza', undefined],
    ['MONZA  E  BRIANZA', 'MB'],
    ['Mantova', 'MN'],
    ['Mantua', 'MN'],
    ['  Sondrio ', 'SO'],
    ['Lécco', 'LC'],
    ['Torino', undefined],
    ['TO', undefined],
    ['', undefined],
  ])('findProvince(%j) -> %s', (input, code) => {
    expect(findProvince(input)?.code).toBe(code);
  });

  it('lets Valcamonica and Medio e Alto Lario firms belong to ATS Montagna', () => {
    expect(ATS_NETWORKS.find((a) => a.code === 'ats-montagna')?.areas).toEqual(['Valcamonica', 'Medio e Alto Lario']);
    expect(isProvinceInAts('BS', 'ats-montagna')).toBe(true);
    expect(isProvinceInAts('CO', 'ats-montagna')).toBe(true);
    expect(isProvinceInAts('SO', 'ats-montagna')).toBe(true);
    expect(isProvinceInAts('BS', 'ats-brescia')).toBe(true);
    expect(isProvinceInAts('CO', 'ats-insubria')).toBe(true);
    expect(isProvinceInAts('BG', 'ats-montagna')).toBe(false);
    expect(isProvinceInAts('MI', 'ats-brianza')).toBe(false);
    expect(isProvinceInAts('MI', 'ats-unknown')).toBe(false);
    expect(isProvinceInAts('lo', 'ats-milano')).toBe(true);
  });
});
