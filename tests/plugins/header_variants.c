/*
 * A minimal plugin whose descriptor the tests break on purpose, one
 * preprocessor switch at a time:
 *
 *   -DTEST_MAGIC=...     another magic number
 *   -DTEST_ABI=2         built for another ABI version
 *   -DTEST_SIZE=16       a descriptor smaller than ABI version 1's
 *   -DTEST_ENTRY=name    export the entry point under another name
 *   -DTEST_NAME='"x y"'  another plugin name
 *   -DTEST_NULL_ANALYZE  no analyze function
 *
 * Without switches it is a valid plugin that finds nothing.
 */
#include "leadminer_plugin.h"

#ifndef TEST_MAGIC
#define TEST_MAGIC LM_MAGIC
#endif
#ifndef TEST_ABI
#define TEST_ABI LM_ABI_VERSION
#endif
#ifndef TEST_SIZE
#define TEST_SIZE sizeof(LmPluginDescriptor)
#endif
#ifndef TEST_ENTRY
#define TEST_ENTRY leadminer_plugin_v1
#endif
#ifndef TEST_NAME
#define TEST_NAME "header-variant"
#endif

static const LmStr KINDS[] = {LM_STR("nothing")};

static int32_t create(const uint8_t *config_ptr, size_t config_len, void **out_instance, LmWriteFn err,
                      void *err_ctx) {
    (void)config_ptr;
    (void)err;
    (void)err_ctx;
    (void)config_len;
    *out_instance = 0; /* a stateless plugin may use a null instance */
    return LM_STATUS_OK;
}

#ifndef TEST_NULL_ANALYZE
static int32_t analyze(void *instance, const LmPostView *post, LmEmitFn emit, void *emit_ctx) {
    (void)instance;
    (void)post;
    (void)emit;
    (void)emit_ctx;
    return LM_STATUS_OK;
}
#endif

static void destroy(void *instance) {
    (void)instance;
}

static void last_error(void *instance, LmWriteFn write, void *ctx) {
    (void)instance;
    (void)write;
    (void)ctx;
}

static const LmPluginDescriptor DESCRIPTOR = {
    .magic = TEST_MAGIC,
    .abi_version = TEST_ABI,
    .struct_size = TEST_SIZE,
    .name = LM_STR(TEST_NAME),
    .version = LM_STR("0.0.1"),
    .kinds = KINDS,
    .kinds_len = 1,
    .triggers = 0,
    .triggers_len = 0,
    .create = create,
#ifdef TEST_NULL_ANALYZE
    .analyze = 0,
#else
    .analyze = analyze,
#endif
    .destroy = destroy,
    .last_error = last_error,
};

LM_EXPORT const LmPluginDescriptor *TEST_ENTRY(void) {
    return &DESCRIPTOR;
}
