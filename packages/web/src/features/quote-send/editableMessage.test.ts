import { describe, expect, it } from 'vitest';
import { Liquid } from 'liquidjs';
import { asTemplate, editableText } from './editableMessage';

// The server renders with strict variables; what the rep typed must come out exactly as typed.
const liquid = new Liquid({ strictVariables: true, strictFilters: true });
const render = (template: string) => liquid.parseAndRender(template, { link: 'https://crm.example/q/abc' });

describe('the editable quote e-mail', () => {
  it('shows the sample link as the placeholder and renders the real link in its place', async () => {
    const text = editableText('Hello Dana,\n\nhttps://crm.example/q/your-personal-link\n\nBye\n', 'https://crm.example/q/your-personal-link');
    expect(text).toBe('Hello Dana,\n\n{{ link }}\n\nBye');
    expect(await render(asTemplate(text))).toBe('Hello Dana,\n\nhttps://crm.example/q/abc\n\nBye');
  });

  it('never runs what the rep or a customer name brings as a template', async () => {
    for (const typed of ['Price {{ 1 | plus: 1 }} {% if true %}x{% endif %}', 'Nasty {% endraw %}{{ link }}{% raw %} name', '{% endraw %}', '{{ contact.secret }}']) {
      expect(await render(asTemplate(typed, false))).toBe(typed);
    }
    expect(await render(asTemplate('See {% endraw %} and {{ link }}'))).toBe('See {% endraw %} and https://crm.example/q/abc');
  });
});
