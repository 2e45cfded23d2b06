/*
 * leadminer_plugin.h: the C ABI of leadminer analyzer plugins, version 1.
 *
 * This header mirrors crates/plugin/src/abi.rs; a test compiles it and
 * compares the size and the offset of every field with the Rust side.
 * docs/PLUGINS.md describes the contract. In short:
 *
 *   - Export one function, leadminer_plugin_v1(), returning a pointer to a
 *     LmPluginDescriptor that lives as long as the library (a static).
 *   - The descriptor starts with magic, abi_version and struct_size; the host
 *     checks them before it reads anything else.
 *   - Everything the host lends (config text, the post) is valid only during
 *     the call. Signals go back through the host's emit callback, which
 *     copies them: nothing is freed on the other side of the boundary.
 *   - analyze may run on several threads at once with the same instance.
 *   - Strings are UTF-8, pointer + length, not NUL-terminated.
 *   - Structs only grow by appending fields; a reader uses a field only when
 *     the struct's struct_size covers it.
 */
#ifndef LEADMINER_PLUGIN_H
#define LEADMINER_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LM_ABI_VERSION 1u
/* "LMPLUGIN" as a little-endian 64-bit integer. */
#define LM_MAGIC UINT64_C(0x4E4947554C504D4C)
#define LM_ENTRY_SYMBOL "leadminer_plugin_v1"

#define LM_STATUS_OK 0
#define LM_STATUS_ERROR 1
#define LM_STATUS_PANIC 2

#define LM_REGION_QUOTE 1u
#define LM_REGION_CODE 2u

#if defined(_WIN32)
#define LM_EXPORT __declspec(dllexport)
#else
#define LM_EXPORT __attribute__((visibility("default")))
#endif

/* Borrowed UTF-8 text; ptr may be NULL when len is 0. */
typedef struct LmStr {
    const uint8_t *ptr;
    size_t len;
} LmStr;

/* A quote or code region of the post text: byte offsets [start, end). */
typedef struct LmRegionView {
    uint32_t kind; /* LM_REGION_*; ignore kinds you do not know */
    size_t start;
    size_t end;
} LmRegionView;

/* A post, lent to analyze for the duration of the call. */
typedef struct LmPostView {
    uint32_t struct_size;  /* sizeof(LmPostView) as the host knows it */
    LmStr text;            /* title, "\n\n", body (or just the body) */
    size_t body_offset;    /* where the body starts in text */
    LmStr id;
    LmStr source;          /* reddit, stackexchange, hackernews, ... */
    LmStr community;
    LmStr kind;            /* submission, comment, question, ... */
    LmStr author;          /* len 0: unknown */
    int64_t created;       /* Unix seconds, valid when has_created != 0 */
    uint32_t has_created;
    const LmRegionView *regions; /* sorted by start */
    size_t regions_len;
} LmPostView;

/* One signal, passed to the host's emit callback, which copies it. */
typedef struct LmSignalView {
    uint32_t struct_size; /* sizeof(LmSignalView) */
    LmStr kind;           /* one of the descriptor's kinds */
    LmStr rule;           /* non-empty */
    size_t start;         /* byte offsets into text, on character boundaries, */
    size_t end;           /* start < end <= text.len */
    float weight;         /* in (0, 1] */
} LmSignalView;

/* Host callbacks. The host copies what it receives before returning. */
typedef void (*LmWriteFn)(void *ctx, const uint8_t *ptr, size_t len);
typedef void (*LmEmitFn)(void *ctx, const LmSignalView *signal);

/* Creates an instance from the plugin's TOML configuration table (may be
 * empty). On success stores it in *out_instance and returns LM_STATUS_OK;
 * otherwise calls err(err_ctx, message) at most once and returns another
 * status. */
typedef int32_t (*LmCreateFn)(const uint8_t *config_ptr, size_t config_len, void **out_instance,
                              LmWriteFn err, void *err_ctx);
/* Analyzes one post, calling emit(emit_ctx, signal) per signal. Returns
 * LM_STATUS_OK, or another status with the message left for last_error. */
typedef int32_t (*LmAnalyzeFn)(void *instance, const LmPostView *post, LmEmitFn emit, void *emit_ctx);
/* Frees an instance. Called once. */
typedef void (*LmDestroyFn)(void *instance);
/* Writes the message of the calling thread's last failed analyze call with
 * this instance through write(ctx, ...), at most once. */
typedef void (*LmLastErrorFn)(void *instance, LmWriteFn write, void *ctx);

/* What a plugin exports. The first three fields never change. */
typedef struct LmPluginDescriptor {
    uint64_t magic;        /* LM_MAGIC */
    uint32_t abi_version;  /* LM_ABI_VERSION */
    uint32_t struct_size;  /* sizeof(LmPluginDescriptor) */
    LmStr name;            /* unique; letters, digits, '-' and '_' */
    LmStr version;
    const LmStr *kinds;    /* signal kinds it may emit */
    size_t kinds_len;
    const LmStr *triggers; /* lower-case substrings a post must contain; NULL: every post */
    size_t triggers_len;
    LmCreateFn create;
    LmAnalyzeFn analyze;
    LmDestroyFn destroy;
    LmLastErrorFn last_error;
} LmPluginDescriptor;

/* The entry point every plugin exports. */
typedef const LmPluginDescriptor *(*LmEntryFn)(void);

/* Builds an LmStr from a string literal. */
#define LM_STR(literal) { (const uint8_t *)(literal), sizeof(literal) - 1 }

#ifdef __cplusplus
}
#endif

#endif /* LEADMINER_PLUGIN_H */
