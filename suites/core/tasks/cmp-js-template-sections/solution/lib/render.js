'use strict';

const { Context } = require('./context');
const { TemplateError } = require('./errors');
const { escapeHtml } = require('./escape');
const { parse } = require('./parse');

const MAX_PARTIAL_DEPTH = 10;

/** Values for which a section is skipped and an inverted section is rendered. */
function isEmpty(value) {
  return value === undefined || value === null || value === false || value === '' ||
    (Array.isArray(value) && value.length === 0);
}

/**
 * Render parsed nodes against a context. `partials` maps partial names to template strings;
 * `depth` is the number of partials we are nested in.
 */
function renderNodes(nodes, ctx, partials, depth) {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') {
      out += node.value;
    } else if (node.type === 'var') {
      const value = ctx.lookup(node.name);
      if (value === undefined || value === null) continue;
      out += node.escape ? escapeHtml(value) : String(value);
    } else if (node.type === 'section') {
      const value = ctx.lookup(node.name);
      if (node.inverted) {
        if (isEmpty(value)) out += renderNodes(node.children, ctx, partials, depth);
      } else if (isEmpty(value)) {
        continue;
      } else if (Array.isArray(value)) {
        value.forEach((item, index) => {
          const meta = { index, first: index === 0, last: index === value.length - 1 };
          out += renderNodes(node.children, ctx.push(item, meta), partials, depth);
        });
      } else {
        out += renderNodes(node.children, ctx.push(value), partials, depth);
      }
    } else if (node.type === 'partial') {
      const template = partials[node.name];
      if (typeof template !== 'string') continue;
      if (depth + 1 > MAX_PARTIAL_DEPTH) throw new TemplateError(`partials nested more than ${MAX_PARTIAL_DEPTH} deep`);
      out += renderNodes(parse(template), ctx, partials, depth + 1);
    }
  }
  return out;
}

/** Render `template` with `data`; `partials` maps names to templates usable as {{> name}}. */
function render(template, data, partials = {}) {
  return renderNodes(parse(template), new Context(data), partials, 0);
}

module.exports = { render, renderNodes, isEmpty, MAX_PARTIAL_DEPTH };
