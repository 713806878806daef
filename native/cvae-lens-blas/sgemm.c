// cvae-lens-blas: a Node-API binding of one BLAS routine, cblas_sgemm (row-major C =
// op(A) op(B) + beta C), plus OpenBLAS's thread control where the library has it.
// Why our own: nblas (the evaluated alternative) is written against V8's C++ API with
// NODE_MODULE, so it is not context-aware: it cannot load in worker_threads, and the
// engine's second thread could not use BLAS. Node-API addons load in every thread and
// survive Node upgrades without a rebuild. The BLAS itself is the system's (OpenBLAS on
// Debian/Ubuntu, Accelerate on macOS).
#define NAPI_VERSION 8
#include <dlfcn.h>
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

// The CBLAS ABI (cblas.h): enums are ints; 101 = row-major, 111 = no transpose, 112 = transpose.
extern void cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha, const float* A, int lda,
                        const float* B, int ldb, float beta, float* C, int ldc);

#define CHECK(call)                                                          \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error(env, NULL, "cvae-lens-blas: a Node-API call failed"); \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static napi_value fail(napi_env env, const char* message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

// A Float32Array argument: its first element and its length.
static int float32_arg(napi_env env, napi_value value, float** data, size_t* length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  void* raw = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float32_array) return 0;
  *data = (float*)raw;
  return 1;
}

static int int_arg(napi_env env, napi_value value, int64_t* out) {
  napi_valuetype t;
  if (napi_typeof(env, value, &t) != napi_ok || t != napi_number) return 0;
  return napi_get_value_int64(env, value, out) == napi_ok;
}

// sgemm(transA, transB, M, N, K, A, B, C, beta): C = op(A) op(B) + beta C on dense
// row-major matrices (op(A) is M x K, op(B) K x N, C M x N). Lengths are checked here, so a
// wrong call throws instead of reading or writing out of bounds.
static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 9) return fail(env, "sgemm(transA, transB, M, N, K, A, B, C, beta): 9 arguments");
  bool transA = false, transB = false;
  if (napi_get_value_bool(env, argv[0], &transA) != napi_ok || napi_get_value_bool(env, argv[1], &transB) != napi_ok)
    return fail(env, "sgemm: transA and transB must be booleans");
  int64_t M, N, K;
  if (!int_arg(env, argv[2], &M) || !int_arg(env, argv[3], &N) || !int_arg(env, argv[4], &K))
    return fail(env, "sgemm: M, N and K must be numbers");
  if (M < 0 || N < 0 || K < 0 || M > INT32_MAX || N > INT32_MAX || K > INT32_MAX)
    return fail(env, "sgemm: M, N and K must be between 0 and 2^31 - 1");
  float *A, *B, *C;
  size_t lenA, lenB, lenC;
  if (!float32_arg(env, argv[5], &A, &lenA) || !float32_arg(env, argv[6], &B, &lenB) || !float32_arg(env, argv[7], &C, &lenC))
    return fail(env, "sgemm: A, B and C must be Float32Arrays");
  double beta;
  if (napi_get_value_double(env, argv[8], &beta) != napi_ok) return fail(env, "sgemm: beta must be a number");
  if ((uint64_t)lenA < (uint64_t)M * (uint64_t)K || (uint64_t)lenB < (uint64_t)K * (uint64_t)N ||
      (uint64_t)lenC < (uint64_t)M * (uint64_t)N) {
    char message[200];
    snprintf(message, sizeof message, "sgemm: arrays too short for M=%lld N=%lld K=%lld (A %zu, B %zu, C %zu elements)", (long long)M,
             (long long)N, (long long)K, lenA, lenB, lenC);
    return fail(env, message);
  }
  if (M == 0 || N == 0) return NULL;
  cblas_sgemm(101, transA ? 112 : 111, transB ? 112 : 111, (int)M, (int)N, (int)K, 1.0f, A, transA ? (int)M : (int)K, B,
              transB ? (int)K : (int)N, (float)beta, C, (int)N);
  return NULL;
}

// OpenBLAS's extensions, looked up at run time: other BLAS libraries (Accelerate, the
// reference BLAS) do not have them, and then threads are the library's own business.
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char* (*get_config_fn)(void);

// setThreads(n): true when the library took it (OpenBLAS), false when it has no such control.
static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t n;
  if (argc != 1 || !int_arg(env, argv[0], &n) || n < 1 || n > 1024) return fail(env, "setThreads(n): n must be 1 to 1024");
  set_threads_fn fn = (set_threads_fn)dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  if (fn) fn((int)n);
  napi_value result;
  CHECK(napi_get_boolean(env, fn != NULL, &result));
  return result;
}

// info(): { threads, config } from OpenBLAS, or nulls where the library does not say.
static napi_value library_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, threads, config;
  CHECK(napi_create_object(env, &result));
  get_threads_fn get = (get_threads_fn)dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
  get_config_fn conf = (get_config_fn)dlsym(RTLD_DEFAULT, "openblas_get_config");
  if (get) CHECK(napi_create_int32(env, get(), &threads));
  else CHECK(napi_get_null(env, &threads));
  if (conf) CHECK(napi_create_string_utf8(env, conf(), NAPI_AUTO_LENGTH, &config));
  else CHECK(napi_get_null(env, &config));
  CHECK(napi_set_named_property(env, result, "threads", threads));
  CHECK(napi_set_named_property(env, result, "config", config));
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, sgemm, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "sgemm", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "setThreads", NAPI_AUTO_LENGTH, set_threads, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "setThreads", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "info", NAPI_AUTO_LENGTH, library_info, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "info", fn) != napi_ok) return NULL;
  return exports;
}
