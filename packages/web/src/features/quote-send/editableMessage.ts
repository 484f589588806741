/**
 * The rep edits the message as it will read, not as Liquid: the preview's text with the sample
 * link shown as {{ link }}. When sent, everything but that placeholder is wrapped in Liquid's
 * raw blocks, so text the rep (or a customer's name) brings can never run as a template.
 */
export const LINK_PLACEHOLDER = '{{ link }}';

export function editableText(previewText: string, sampleLink: string): string {
  return previewText.split(sampleLink).join(LINK_PLACEHOLDER).trimEnd();
}

const raw = (s: string) => (s ? `{% raw %}${s.replaceAll('{% endraw %}', '{% endraw %}{{ "{% endraw %}" }}{% raw %}')}{% endraw %}` : '');

export function asTemplate(text: string, keepLink = true): string {
  if (!keepLink) return raw(text);
  return text.split(LINK_PLACEHOLDER).map(raw).join(LINK_PLACEHOLDER);
}
