/** Quotes use the documents' command scope (documents/scope.ts) under their historical names. */
export {
  asDocumentCommand as asQuoteCommand,
  inDocumentCommand as inQuoteCommand,
  markDocumentDeleting as markQuoteDeleting,
  isDocumentDeleting as isQuoteDeleting,
} from '../documents/scope.ts';
