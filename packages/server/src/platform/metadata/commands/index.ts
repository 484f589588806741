/**
 * Metadata commands (PLT-1, PLT-2), one per file; the routes (http/routes/metadata.ts) call them.
 */
export { describeObject, describeField, type MetadataBinItem } from './presenters.ts';
export { createObject } from './createObject.ts';
export { updateObject } from './updateObject.ts';
export { deleteObject } from './deleteObject.ts';
export { createField } from './createField.ts';
export { updateField } from './updateField.ts';
export { deleteField } from './deleteField.ts';
export { listMetadataRecycleBin } from './listMetadataRecycleBin.ts';
export { restoreMetadata } from './restoreMetadata.ts';
export { purgeMetadata } from './purgeMetadata.ts';
export { createValidationRule } from './createValidationRule.ts';
export { updateValidationRule } from './updateValidationRule.ts';
export { deleteValidationRule } from './deleteValidationRule.ts';
