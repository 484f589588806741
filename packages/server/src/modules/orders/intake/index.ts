/** Order intake, the part without a database: read, map and check a shop's order body; verify its signature. See parse.ts. */
export { parseIntakeBody, type IntakeFormat, type ParseIntakeInput } from './parse.ts';
export { verifySignature, signBody, SIGNATURE_HEADER, DEFAULT_TOLERANCE_SECONDS, type SignatureCheck, type VerifyInput } from './signature.ts';
export { checkMapping, applyMapping, parseCustom, ORDER_FIELDS, LINE_FIELDS, type IntakeMapping, type MappedOrderField, type MappedLineField } from './mapping.ts';
export { validateIntakeOrder, normalizeIntakeOrder } from './validate.ts';
export { parseXml, type XmlOptions, type XmlResult } from './xml.ts';
export { parseJson, type JsonResult } from './json.ts';
export { mapCxml, type CxmlOptions } from './cxml.ts';
export { mapUbl } from './ubl.ts';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, type IntakeOrder, type IntakeLine, type IntakeAddress, type IntakeProblem, type IntakeResult, type IntakeLimits } from './types.ts';
