/**
 * ISO 4217 active currency codes and their minor units (digits after the decimal point), from the
 * ISO 4217 list one (2025). Fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW) are included
 * because invoices in them exist; precious metals, SDR and test codes (XAU, XDR, XTS, XXX) are not
 * money a customer pays and are left out.
 */
const ZERO = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR = 'CLF UYW';
const TWO =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC ' +
  'CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD ' +
  'KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN ' +
  'QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED ' +
  'VES WST XCD XCG YER ZAR ZMW ZWG';

const MINOR_UNITS: ReadonlyMap<string, number> = new Map([
  ...ZERO.split(' ').map((c) => [c, 0] as const),
  ...TWO.split(' ').map((c) => [c, 2] as const),
  ...THREE.split(' ').map((c) => [c, 3] as const),
  ...FOUR.split(' ').map((c) => [c, 4] as const),
]);

/** Every supported code, sorted (picklists of currency fields). */
export const CURRENCY_CODES: readonly string[] = [...MINOR_UNITS.keys()].sort();

export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && MINOR_UNITS.has(code);
}

/** Digits after the decimal point of the currency's minor unit: JPY 0, USD 2, KWD 3. Throws on an unknown code. */
export function minorUnits(currency: string): number {
  const digits = MINOR_UNITS.get(currency);
  if (digits === undefined) throw new RangeError(`Unknown currency '${String(currency).slice(0, 10)}' (ISO 4217)`);
  return digits;
}
