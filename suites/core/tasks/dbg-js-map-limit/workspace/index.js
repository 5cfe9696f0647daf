'use strict';

module.exports = {
  ...require('./src/pool'),
  ...require('./src/uploader'),
};
