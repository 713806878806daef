// The compiled binding (see sgemm.c); requiring this package throws where it did not build.
"use strict";
module.exports = require("./build/Release/cvae_blas.node");
