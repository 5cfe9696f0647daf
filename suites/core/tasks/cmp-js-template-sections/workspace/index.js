'use strict';

// Tiny logic-less templates for the notification e-mails.
const { render } = require('./lib/render');
const { TemplateError } = require('./lib/errors');

module.exports = { render, TemplateError };
