/* core_yaml.c: libFuzzer target for core/yaml_io.c. Two properties:
 * - the loader, on any bytes, answers 0 or ERR_INVALID/ERR_TOOBIG without
 *   a crash, and a loaded document can be walked with every typed read;
 * - the emitter, on any UTF-8 text without NUL, writes YAML that loads back
 *   as exactly that text, as a value and as a key, and is never a plain
 *   scalar a resolver would read as something else.
 * Input: first byte even: loader; odd: emitter (the rest is the text).
 * Build: tests/fuzz/run.sh core_yaml (core/ only). */
#include "fuzz.h"
#include "buf.h"
#include "str.h"
#include "yaml_io.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void walk(yaml_doc *d, const yaml_node_t *n, int depth)
{
    errmsg e = {0};
    const char *s;
    long long v;
    int b;

    CHECK(depth <= YAML_IO_MAX_DEPTH + 1);
    (void)yaml_doc_text(&s, n, &e);
    (void)yaml_doc_int(&v, n, &e);
    (void)yaml_doc_bool(&b, n, &e);
    (void)yaml_doc_is_null(n);
    CHECK(yaml_doc_line(n) >= 1);
    for (size_t i = 0; i < yaml_doc_map_size(n); i++) {
        walk(d, yaml_doc_map_key(d, n, i), depth + 1);
        walk(d, yaml_doc_map_value(d, n, i), depth + 1);
    }
    for (size_t i = 0; i < yaml_doc_seq_size(n); i++)
        walk(d, yaml_doc_seq_item(d, n, i), depth + 1);
}

static void load(const char *data, size_t len)
{
    yaml_doc d;
    errmsg err = {0};
    int line = -1, rc;

    rc = yaml_doc_load(&d, data, len, &line, &err);
    CHECK(rc == 0 || rc == ERR_INVALID || rc == ERR_TOOBIG);
    if (rc == 0)
        walk(&d, yaml_doc_root(&d), 1);
    else
        CHECK(!strncmp(err.msg, "yaml: ", 6) && line >= 0);
    yaml_doc_dispose(&d);
}

static void round_trip(const char *text)
{
    buf b = {0};
    yaml_out y;
    yaml_doc d;
    errmsg err = {0};
    const yaml_node_t *root, *v;

    yaml_out_begin(&y, &b, 0);
    yaml_out_map_begin(&y);
    yaml_out_kstr(&y, "k", text);
    yaml_out_kstr(&y, text, "v");
    yaml_out_map_end(&y);
    CHECK(yaml_out_end(&y) == 0);
    CHECK(yaml_doc_load(&d, b.data, b.len, NULL, &err) == 0);
    root = yaml_doc_root(&d);
    v = yaml_doc_get(&d, root, "k");
    CHECK(v && yaml_doc_str(v) && !strcmp(yaml_doc_str(v), text));
    CHECK(v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
          !yaml_out_needs_quotes(text));
    CHECK(yaml_doc_map_size(root) == 2);
    CHECK(!strcmp(yaml_doc_str(yaml_doc_map_key(&d, root, 1)), text));
    yaml_doc_dispose(&d);
    buf_dispose(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;

    if (size < 1)
        return 0;
    if (!(data[0] & 1)) {
        load((const char *)data + 1, size - 1);
        return 0;
    }
    text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    if (!memchr(data + 1, '\0', size - 1) && str_utf8_valid(text, size - 1) &&
        strcmp(text, "k"))
        round_trip(text);
    free(text);
    return 0;
}
