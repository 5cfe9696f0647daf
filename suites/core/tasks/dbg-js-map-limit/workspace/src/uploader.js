'use strict';

const { mapLimit } = require('./pool');

/**
 * Upload files through `client.put(name, data)` (which resolves to the URL of the stored file),
 * at most `concurrency` at a time. Resolves to `[{ name, url }]` in the order of `files`.
 */
async function uploadAll(files, client, { concurrency = 3 } = {}) {
  const urls = await mapLimit(files, concurrency, (file) => client.put(file.name, file.data));
  return files.map((file, i) => ({ name: file.name, url: urls[i] }));
}

module.exports = { uploadAll };
