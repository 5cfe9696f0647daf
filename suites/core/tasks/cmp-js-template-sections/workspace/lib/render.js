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
  // TODO: fill in this gap — render text, variables, sections, inverted sections and partials
  throw new Error('not implemented');
}

/** Render `template` with `data`; `partials` maps names to templates usable as {{> name}}. */
function render(template, data, partials = {}) {
  return renderNodes(parse(template), new Context(data), partials, 0);
}

module.exports = { render, renderNodes, isEmpty, MAX_PARTIAL_DEPTH };
