/*
 * workaround-c: a leadminer analyzer plugin written in C.
 *
 * Finds workaround language in the author's own prose ("workaround",
 * "duct tape", "zip ties", "jury-rigged", "kludge", ...) and emits signals
 * of kind `workaround`. Quoted text and code are skipped.
 *
 * Build:  cc -std=c11 -O2 -shared -fPIC -I ../../crates/plugin/include \
 *            plugin.c -o libworkaround_c.so
 *
 * Configuration ([plugins.workaround-c] in the leadminer config), all
 * optional:
 *
 *   weight = 0.4      # weight of every signal, in (0, 1]
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadminer_plugin.h"

static const LmStr KINDS[] = {LM_STR("workaround")};
static const LmStr TRIGGERS[] = {
    LM_STR("workaround"), LM_STR("work-around"), LM_STR("work around"), LM_STR("duct tape"),
    LM_STR("zip tie"),    LM_STR("jury-rig"),    LM_STR("jury rig"),    LM_STR("kludge"),
    LM_STR("stopgap"),
};

/* Phrases to find, lower case, with the rule each one reports. */
static const struct {
    const char *phrase;
    const char *rule;
} PHRASES[] = {
    {"workaround", "workaround.word"},   {"work-around", "workaround.word"},
    {"work around", "workaround.word"},  {"duct tape", "workaround.duct-tape"},
    {"duct taped", "workaround.duct-tape"}, {"zip tie", "workaround.zip-tie"},
    {"zip ties", "workaround.zip-tie"},  {"zip tied", "workaround.zip-tie"},
    {"jury-rigged", "workaround.jury-rig"}, {"jury rigged", "workaround.jury-rig"},
    {"jury-rig", "workaround.jury-rig"}, {"kludge", "workaround.kludge"},
    {"stopgap", "workaround.stopgap"},
};
#define N_PHRASES (sizeof(PHRASES) / sizeof(PHRASES[0]))

typedef struct Instance {
    float weight;
} Instance;

/* The last analyze error of this thread (the host may analyze on many
 * threads at once with one instance). */
static _Thread_local char last_error_text[256];
static _Thread_local const void *last_error_instance;

static void write_str(LmWriteFn write, void *ctx, const char *text) {
    write(ctx, (const uint8_t *)text, strlen(text));
}

/* Reads `weight = <number>` from the TOML text, if present. Returns 0 on
 * success, or -1 with a message in `err`. */
static int parse_config(const uint8_t *ptr, size_t len, float *weight, char *err, size_t err_len) {
    char *text = malloc(len + 1);
    if (text == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    if (len > 0) {
        memcpy(text, ptr, len);
    }
    text[len] = '\0';
    int rc = 0;
    char *next = text;
    while (next != NULL) {
        char *line = next;
        next = strchr(line, '\n');
        if (next != NULL) *next++ = '\0';
        while (isspace((unsigned char)*line)) line++;
        if (*line == '\0' || *line == '#') continue;
        if (strncmp(line, "weight", 6) == 0) {
            char *p = line + 6;
            while (isspace((unsigned char)*p)) p++;
            if (*p != '=') {
                snprintf(err, err_len, "expected `weight = <number>`");
                rc = -1;
                break;
            }
            char *end = NULL;
            double w = strtod(p + 1, &end);
            if (end == p + 1 || !(w > 0.0 && w <= 1.0)) {
                snprintf(err, err_len, "weight must be a number in (0, 1]");
                rc = -1;
                break;
            }
            *weight = (float)w;
        } else {
            snprintf(err, err_len, "unknown option in: %.60s (expected `weight`)", line);
            rc = -1;
            break;
        }
    }
    free(text);
    return rc;
}

static int32_t create(const uint8_t *config_ptr, size_t config_len, void **out_instance, LmWriteFn err,
                      void *err_ctx) {
    char message[160];
    float weight = 0.4f;
    if (parse_config(config_ptr, config_len, &weight, message, sizeof message) != 0) {
        write_str(err, err_ctx, message);
        return LM_STATUS_ERROR;
    }
    Instance *instance = malloc(sizeof *instance);
    if (instance == NULL) {
        write_str(err, err_ctx, "out of memory");
        return LM_STATUS_ERROR;
    }
    instance->weight = weight;
    *out_instance = instance;
    return LM_STATUS_OK;
}

static int is_word_byte(uint8_t b) {
    return isalnum(b) || b >= 0x80;
}

/* Whether [start, end) overlaps a quote or code region. */
static int in_region(const LmPostView *post, size_t start, size_t end) {
    for (size_t i = 0; i < post->regions_len; i++) {
        const LmRegionView *r = &post->regions[i];
        if ((r->kind == LM_REGION_QUOTE || r->kind == LM_REGION_CODE) && r->start < end && start < r->end) {
            return 1;
        }
    }
    return 0;
}

/* Whether the phrase occurs at `at`, ignoring ASCII case, as whole words. */
static int phrase_at(const uint8_t *text, size_t len, size_t at, const char *phrase, size_t plen) {
    if (at + plen > len) return 0;
    for (size_t i = 0; i < plen; i++) {
        if (tolower(text[at + i]) != (unsigned char)phrase[i]) return 0;
    }
    if (at > 0 && is_word_byte(text[at - 1])) return 0;
    if (at + plen < len && is_word_byte(text[at + plen])) return 0;
    return 1;
}

static int32_t analyze(void *instance, const LmPostView *post, LmEmitFn emit, void *emit_ctx) {
    const Instance *self = instance;
    if (post->struct_size < sizeof(LmPostView)) {
        snprintf(last_error_text, sizeof last_error_text, "the host's post view is too small (%u bytes)",
                 (unsigned)post->struct_size);
        last_error_instance = instance;
        return LM_STATUS_ERROR;
    }
    const uint8_t *text = post->text.ptr;
    size_t len = post->text.len;
    for (size_t at = 0; at < len; at++) {
        /* Longest phrase first at each position: "zip ties" over "zip tie". */
        size_t best = N_PHRASES, best_len = 0;
        for (size_t p = 0; p < N_PHRASES; p++) {
            size_t plen = strlen(PHRASES[p].phrase);
            if (plen > best_len && phrase_at(text, len, at, PHRASES[p].phrase, plen)) {
                best = p;
                best_len = plen;
            }
        }
        if (best == N_PHRASES || in_region(post, at, at + best_len)) continue;
        LmSignalView signal = {
            .struct_size = sizeof(LmSignalView),
            .kind = KINDS[0],
            .rule = {(const uint8_t *)PHRASES[best].rule, strlen(PHRASES[best].rule)},
            .start = at,
            .end = at + best_len,
            .weight = self->weight,
        };
        emit(emit_ctx, &signal);
        at += best_len - 1;
    }
    return LM_STATUS_OK;
}

static void destroy(void *instance) {
    free(instance);
}

static void last_error(void *instance, LmWriteFn write, void *ctx) {
    if (last_error_instance == instance && last_error_text[0] != '\0') {
        write_str(write, ctx, last_error_text);
        last_error_text[0] = '\0';
    }
}

static const LmPluginDescriptor DESCRIPTOR = {
    .magic = LM_MAGIC,
    .abi_version = LM_ABI_VERSION,
    .struct_size = sizeof(LmPluginDescriptor),
    .name = LM_STR("workaround-c"),
    .version = LM_STR("0.1.0"),
    .kinds = KINDS,
    .kinds_len = sizeof(KINDS) / sizeof(KINDS[0]),
    .triggers = TRIGGERS,
    .triggers_len = sizeof(TRIGGERS) / sizeof(TRIGGERS[0]),
    .create = create,
    .analyze = analyze,
    .destroy = destroy,
    .last_error = last_error,
};

LM_EXPORT const LmPluginDescriptor *leadminer_plugin_v1(void) {
    return &DESCRIPTOR;
}
