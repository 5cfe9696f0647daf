'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { render, TemplateError } = require('../index.js');

test('variables are HTML-escaped unless raw', () => {
  const data = { name: '<Tom & "Jerry">' };
  assert.strictEqual(render('Hi {{name}}!', data), 'Hi &lt;Tom &amp; &quot;Jerry&quot;&gt;!');
  assert.strictEqual(render('{{{name}}}|{{& name}}', data), '<Tom & "Jerry">|<Tom & "Jerry">');
});

test('missing and null variables render as nothing, 0 and false as text', () => {
  assert.strictEqual(render('[{{a}}][{{b}}][{{c}}][{{d}}]', { b: null, c: 0, d: false }), '[][][0][false]');
});

test('an object section pushes the object and outer names stay visible', () => {
  const data = { user: { name: 'Ann', team: { name: 'Ops' } }, company: 'ACME' };
  assert.strictEqual(render('{{#user}}{{name}} ({{team.name}}) at {{company}}{{/user}}', data), 'Ann (Ops) at ACME');
});

test('a list section renders once per item', () => {
  const data = { people: [{ name: 'Ann' }, { name: 'Bo' }], tags: ['x', 'y', 'z'] };
  assert.strictEqual(render('{{#people}}<{{name}}>{{/people}}', data), '<Ann><Bo>');
  assert.strictEqual(render('{{#tags}}{{.}};{{/tags}}', data), 'x;y;z;');
});

test('list items carry @index, @first and @last', () => {
  const data = { items: ['a', 'b', 'c'] };
  assert.strictEqual(
    render('{{#items}}{{#@first}}[{{/@first}}{{@index}}:{{.}}{{^@last}}, {{/@last}}{{#@last}}]{{/@last}}{{/items}}', data),
    '[0:a, 1:b, 2:c]',
  );
});

test('loop metadata belongs to the innermost list', () => {
  const data = { rows: [{ cells: ['a', 'b'] }, { cells: ['c'] }] };
  assert.strictEqual(render('{{#rows}}{{@index}}({{#cells}}{{@index}}{{.}}{{/cells}}){{/rows}}', data), '0(0a1b)1(0c)');
});

test('empty values skip a section but 0 does not', () => {
  for (const value of [undefined, null, false, '', []]) {
    assert.strictEqual(render('<{{#v}}shown{{/v}}>', { v: value }), '<>', String(value));
  }
  assert.strictEqual(render('<{{#v}}count={{.}}{{/v}}>', { v: 0 }), '<count=0>');
});

test('a scalar section renders once with the value as "."', () => {
  assert.strictEqual(render('{{#flag}}on{{/flag}}', { flag: true }), 'on');
  assert.strictEqual(render('{{#title}}<h1>{{.}}</h1>{{/title}}', { title: 'News' }), '<h1>News</h1>');
});

test('inverted sections render once when the value is empty', () => {
  const template = '{{^items}}No items{{/items}}{{^missing}} for {{owner}}{{/missing}}';
  assert.strictEqual(render(template, { items: [], owner: 'Ann' }), 'No items for Ann');
  assert.strictEqual(render('{{^items}}No items{{/items}}', { items: [1] }), '');
  assert.strictEqual(render('{{^n}}none{{/n}}', { n: 0 }), '');
  assert.strictEqual(render('{{#tags}}{{^missing}}<{{.}}>{{/missing}}{{/tags}}', { tags: ['a', 'b'] }), '<a><b>');
});

test('partials render with the current context', () => {
  const partials = { user: '<li>{{name}} ({{@index}})</li>' };
  assert.strictEqual(
    render('<ul>{{#users}}{{> user}}{{/users}}</ul>', { users: [{ name: 'Ann' }, { name: 'Bo' }] }, partials),
    '<ul><li>Ann (0)</li><li>Bo (1)</li></ul>',
  );
});

test('a missing partial renders as nothing', () => {
  assert.strictEqual(render('a{{> nope}}b', {}, { other: 'x' }), 'ab');
  assert.strictEqual(render('a{{> nope}}b', {}), 'ab');
});

function chain(levels) {
  let node = { name: `n${levels}`, child: null }; // own null child: no lookup in outer frames
  for (let i = levels - 1; i >= 1; i--) node = { name: `n${i}`, child: node };
  return node;
}

const TREE = { node: '{{name}}{{#child}}/{{> node}}{{/child}}' };

test('recursive partials work up to ten levels deep', () => {
  assert.strictEqual(render('{{> node}}', chain(3), TREE), 'n1/n2/n3');
  assert.strictEqual(render('{{> node}}', chain(10), TREE), 'n1/n2/n3/n4/n5/n6/n7/n8/n9/n10');
});

test('a missing partial is not an error even past the depth limit', () => {
  const partials = { node: '{{name}}{{#child}}/{{> node}}{{/child}}{{> footer}}' };
  assert.strictEqual(render('{{> node}}', chain(10), partials), 'n1/n2/n3/n4/n5/n6/n7/n8/n9/n10');
});

test('partials nested more than ten deep throw TemplateError', () => {
  assert.throws(() => render('{{> node}}', chain(11), TREE), TemplateError);
  assert.throws(() => render('{{> loop}}', {}, { loop: 'again {{> loop}}' }), TemplateError);
});
