import sanitizeHtml from 'sanitize-html';

/**
 * The allow-list for rich-text note bodies (ACT-1): formatting, lists, quotes, code, headings
 * and links to http(s)/mailto only. Everything else — script and style elements with their
 * content, event handler attributes, javascript:/data: URLs — is removed, not escaped.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'b', 'strong', 'i', 'em', 'u', 'ul', 'ol', 'li', 'a', 'blockquote', 'code', 'pre', 'h1', 'h2', 'h3', 'h4'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'template'],
};

export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
