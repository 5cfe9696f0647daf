'use strict';

const { TemplateError } = require('./errors');

// Tags: {{name}} (escaped), {{{name}}} or {{& name}} (raw), {{#name}}…{{/name}} (section),
// {{^name}}…{{/name}} (inverted section), {{> name}} (partial), {{! comment}}.
// Whitespace inside a tag is ignored; text outside tags is kept exactly as written.
const TAG = /\{\{\{\s*([^}]*?)\s*\}\}\}|\{\{\s*([#^/>&!]?)\s*([^}]*?)\s*\}\}/g;

/**
 * Parse a template into a tree of nodes:
 *   { type: 'text', value }
 *   { type: 'var', name, escape }            escape is false for {{{name}}} and {{& name}}
 *   { type: 'section', name, inverted, children }
 *   { type: 'partial', name }
 */
function parse(template) {
  const root = { children: [] };
  const open = [root];
  let last = 0;
  for (const match of template.matchAll(TAG)) {
    const top = open[open.length - 1];
    if (match.index > last) top.children.push({ type: 'text', value: template.slice(last, match.index) });
    last = match.index + match[0].length;
    if (match[1] !== undefined) {
      top.children.push({ type: 'var', name: match[1], escape: false });
      continue;
    }
    const [sigil, name] = [match[2], match[3]];
    if (sigil === '!') continue;
    if (!name) throw new TemplateError(`empty tag at offset ${match.index}`);
    if (sigil === '#' || sigil === '^') {
      const section = { type: 'section', name, inverted: sigil === '^', children: [] };
      top.children.push(section);
      open.push(section);
    } else if (sigil === '/') {
      if (open.length === 1 || top.name !== name) {
        throw new TemplateError(`unexpected {{/${name}}} at offset ${match.index}`);
      }
      open.pop();
    } else if (sigil === '>') {
      top.children.push({ type: 'partial', name });
    } else {
      top.children.push({ type: 'var', name, escape: sigil !== '&' });
    }
  }
  if (open.length > 1) throw new TemplateError(`section {{#${open[open.length - 1].name}}} is not closed`);
  if (last < template.length) root.children.push({ type: 'text', value: template.slice(last) });
  return root.children;
}

module.exports = { parse };
