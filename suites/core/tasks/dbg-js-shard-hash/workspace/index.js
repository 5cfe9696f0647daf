'use strict';

module.exports = {
  ...require('./src/hash'),
  ...require('./src/router'),
};
