/* yaml_io.c: the YAML emitter wrapper and the bounded document loader of
 * yaml_io.h over libyaml. The scalar style rules (when a string must be
 * quoted) are in yaml_out_needs_quotes; libyaml itself decides whether a
 * plain or literal scalar is allowed at all and falls back to quoting. */
#include "yaml_io.h"
#include "str.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- out ---------------------------------------------------------------- */

static int write_handler(void *ctx, unsigned char *data, size_t size)
{
    buf *b = ctx;

    buf_append(b, (const char *)data, size);
    return buf_error(b) ? 0 : 1;
}

static void emit(yaml_out *y, yaml_event_t *ev, int ok)
{
    if (y->err) {
        if (ok)
            yaml_event_delete(ev);
        return;
    }
    if (!ok) {
        y->err = ERR_INTERNAL;
        return;
    }
    /* yaml_emitter_emit takes the event, also when it fails. */
    if (!yaml_emitter_emit(&y->em, ev))
        y->err = buf_error(y->out) ? ERR_TOOBIG : ERR_INTERNAL;
}

void yaml_out_begin(yaml_out *y, buf *out, int explicit_start)
{
    yaml_event_t ev;

    memset(y, 0, sizeof *y);
    y->out = out;
    if (!yaml_emitter_initialize(&y->em)) {
        y->err = ERR_INTERNAL;
        return;
    }
    y->open = 1;
    yaml_emitter_set_output(&y->em, write_handler, out);
    yaml_emitter_set_encoding(&y->em, YAML_UTF8_ENCODING);
    yaml_emitter_set_unicode(&y->em, 1);
    yaml_emitter_set_indent(&y->em, 2);
    yaml_emitter_set_width(&y->em, -1); /* never fold a long line */
    yaml_emitter_set_break(&y->em, YAML_LN_BREAK);
    emit(y, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit(y, &ev,
         yaml_document_start_event_initialize(&ev, NULL, NULL, NULL,
                                              explicit_start ? 0 : 1));
}

int yaml_out_end(yaml_out *y)
{
    yaml_event_t ev;

    emit(y, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(y, &ev, yaml_stream_end_event_initialize(&ev));
    if (!y->err && y->open && !yaml_emitter_flush(&y->em))
        y->err = buf_error(y->out) ? ERR_TOOBIG : ERR_INTERNAL;
    if (!y->err && buf_error(y->out))
        y->err = ERR_TOOBIG;
    if (y->open)
        yaml_emitter_delete(&y->em);
    y->open = 0;
    return y->err;
}

void yaml_out_map_begin(yaml_out *y)
{
    yaml_event_t ev;

    emit(y, &ev,
         yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                             YAML_BLOCK_MAPPING_STYLE));
}

void yaml_out_map_end(yaml_out *y)
{
    yaml_event_t ev;

    emit(y, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void seq_begin(yaml_out *y, yaml_sequence_style_t style)
{
    yaml_event_t ev;

    emit(y, &ev,
         yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, style));
}

void yaml_out_seq_begin(yaml_out *y)
{
    seq_begin(y, YAML_BLOCK_SEQUENCE_STYLE);
}

void yaml_out_seq_begin_flow(yaml_out *y)
{
    seq_begin(y, YAML_FLOW_SEQUENCE_STYLE);
}

void yaml_out_seq_end(yaml_out *y)
{
    yaml_event_t ev;

    emit(y, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void scalar(yaml_out *y, const char *s, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    size_t n = strlen(s);

    if (n > INT_MAX) {
        y->err = y->err ? y->err : ERR_TOOBIG;
        return;
    }
    emit(y, &ev,
         yaml_scalar_event_initialize(&ev, NULL, NULL,
                                      (yaml_char_t *)(uintptr_t)s, (int)n, 1, 1,
                                      style));
}

/* The YAML 1.1 booleans and nulls (PyYAML's resolver, which dbt uses),
 * a superset of YAML 1.2's core schema. */
static const char *const words[] = {
    "y",    "Y",    "yes",  "Yes",   "YES",   "n",     "N",  "no", "No", "NO",
    "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off",
    "Off",  "OFF",  "null", "Null",  "NULL",  "~",     "<<", "=",  NULL};

int yaml_out_needs_quotes(const char *s)
{
    const char *p = s;

    if (!s || !*s)
        return 1;
    for (size_t i = 0; words[i]; i++)
        if (!strcmp(s, words[i]))
            return 1;
    /* Numbers, dates, times and sexagesimals start with a digit, a sign
       or a dot before a digit; .inf and .nan with a dot. Quoting every
       such string is more than needed and always right. */
    if (*p == '+' || *p == '-')
        p++;
    if (*p >= '0' && *p <= '9')
        return 1;
    if (*p == '.' && ((p[1] >= '0' && p[1] <= '9') ||
                      !str_casecmp(p + 1, "inf") || !str_casecmp(p + 1, "nan")))
        return 1;
    return 0;
}

void yaml_out_str(yaml_out *y, const char *s)
{
    yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;

    if (!s)
        s = "";
    if (strchr(s, '\n'))
        style = YAML_LITERAL_SCALAR_STYLE; /* libyaml falls back to "" */
    else if (yaml_out_needs_quotes(s))
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    scalar(y, s, style);
}

void yaml_out_int(yaml_out *y, long long v)
{
    char num[32];

    snprintf(num, sizeof num, "%lld", v);
    scalar(y, num, YAML_PLAIN_SCALAR_STYLE);
}

void yaml_out_bool(yaml_out *y, int v)
{
    scalar(y, v ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
}

void yaml_out_null(yaml_out *y)
{
    scalar(y, "null", YAML_PLAIN_SCALAR_STYLE);
}

void yaml_out_kstr(yaml_out *y, const char *key, const char *s)
{
    yaml_out_str(y, key);
    yaml_out_str(y, s);
}

void yaml_out_kint(yaml_out *y, const char *key, long long v)
{
    yaml_out_str(y, key);
    yaml_out_int(y, v);
}

void yaml_out_kbool(yaml_out *y, const char *key, int v)
{
    yaml_out_str(y, key);
    yaml_out_bool(y, v);
}

/* ---- in ----------------------------------------------------------------- */

static int parse_fail(yaml_parser_t *p, int *err_line, errmsg *err)
{
    const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

    if (err_line)
        *err_line = (int)m->line + 1;
    return err_set(err, ERR_INVALID, "yaml: %s%s%s",
                   p->problem ? p->problem : "the document cannot be read",
                   p->context ? " " : "", p->context ? p->context : "");
}

static int refuse(int line, int *err_line, errmsg *err, const char *msg)
{
    if (err_line)
        *err_line = line;
    return err_set(err, ERR_INVALID, "yaml: %s", msg);
}

/* The event pass: limits checked before anything is built. */
static int precheck(const char *data, size_t len, int *err_line, errmsg *err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int depth = 0, docs = 0, rc = 0, done = 0;
    size_t nodes = 0;

    if (!yaml_parser_initialize(&p))
        return err_set(err, ERR_INTERNAL, "yaml: out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    while (!done && rc == 0) {
        int line;
        const yaml_char_t *anchor = NULL;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = parse_fail(&p, err_line, err);
            break;
        }
        line = (int)ev.start_mark.line + 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                rc = refuse(line, err_line, err,
                            "more than one document (one is expected)");
            break;
        case YAML_ALIAS_EVENT:
            rc = refuse(line, err_line, err,
                        "anchors and aliases (& and *) are not accepted");
            break;
        case YAML_SCALAR_EVENT: anchor = ev.data.scalar.anchor; break;
        case YAML_SEQUENCE_START_EVENT:
            anchor = ev.data.sequence_start.anchor;
            depth++;
            break;
        case YAML_MAPPING_START_EVENT:
            anchor = ev.data.mapping_start.anchor;
            depth++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: depth--; break;
        default: break;
        }
        if (rc == 0 && anchor)
            rc = refuse(line, err_line, err,
                        "anchors and aliases (& and *) are not accepted");
        if (rc == 0 && depth > YAML_IO_MAX_DEPTH)
            rc = refuse(line, err_line, err, "nested more than 64 levels");
        if (rc == 0 &&
            (ev.type == YAML_SCALAR_EVENT ||
             ev.type == YAML_SEQUENCE_START_EVENT ||
             ev.type == YAML_MAPPING_START_EVENT) &&
            ++nodes > YAML_IO_MAX_NODES)
            rc = refuse(line, err_line, err, "too many nodes");
        yaml_event_delete(&ev);
    }
    if (rc == 0 && docs == 0)
        rc = refuse(1, err_line, err, "the file is empty");
    yaml_parser_delete(&p);
    return rc;
}

int yaml_doc_load(yaml_doc *d, const char *data, size_t len, int *err_line,
                  errmsg *err)
{
    yaml_parser_t p;
    int rc = 0;

    memset(d, 0, sizeof *d);
    if (err_line)
        *err_line = 0;
    if (len > YAML_IO_MAX_SIZE)
        return err_set(err, ERR_TOOBIG, "yaml: the file is larger than %zu MiB",
                       YAML_IO_MAX_SIZE / (1024 * 1024));
    if (memchr(data, '\0', len) || !str_utf8_valid(data, len))
        return refuse(1, err_line, err, "the file is not UTF-8 text");
    rc = precheck(data, len, err_line, err);
    if (rc < 0)
        return rc;
    if (!yaml_parser_initialize(&p))
        return err_set(err, ERR_INTERNAL, "yaml: out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    if (!yaml_parser_load(&p, &d->doc))
        rc = parse_fail(&p, err_line, err);
    else
        d->loaded = 1;
    yaml_parser_delete(&p);
    if (rc == 0 && !yaml_doc_root(d))
        rc = refuse(1, err_line, err, "the file is empty");
    return rc;
}

void yaml_doc_dispose(yaml_doc *d)
{
    if (d && d->loaded)
        yaml_document_delete(&d->doc);
    if (d)
        d->loaded = 0;
}

yaml_node_t *yaml_doc_root(yaml_doc *d)
{
    return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

int yaml_doc_line(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

int yaml_doc_is_map(const yaml_node_t *n)
{
    return n && n->type == YAML_MAPPING_NODE;
}

int yaml_doc_is_seq(const yaml_node_t *n)
{
    return n && n->type == YAML_SEQUENCE_NODE;
}

int yaml_doc_is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

int yaml_doc_is_null(const yaml_node_t *n)
{
    const char *s;

    if (!n)
        return 1;
    if (n->type != YAML_SCALAR_NODE ||
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    s = (const char *)n->data.scalar.value;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

yaml_node_t *yaml_doc_get(yaml_doc *d, const yaml_node_t *map, const char *key)
{
    size_t n = yaml_doc_map_size(map);

    for (size_t i = 0; i < n; i++) {
        const char *k = yaml_doc_str(yaml_doc_map_key(d, map, i));
        if (k && !strcmp(k, key))
            return yaml_doc_map_value(d, map, i);
    }
    return NULL;
}

size_t yaml_doc_map_size(const yaml_node_t *map)
{
    if (!yaml_doc_is_map(map))
        return 0;
    return (size_t)(map->data.mapping.pairs.top -
                    map->data.mapping.pairs.start);
}

yaml_node_t *yaml_doc_map_key(yaml_doc *d, const yaml_node_t *map, size_t i)
{
    if (i >= yaml_doc_map_size(map))
        return NULL;
    return yaml_document_get_node(&d->doc,
                                  map->data.mapping.pairs.start[i].key);
}

yaml_node_t *yaml_doc_map_value(yaml_doc *d, const yaml_node_t *map, size_t i)
{
    if (i >= yaml_doc_map_size(map))
        return NULL;
    return yaml_document_get_node(&d->doc,
                                  map->data.mapping.pairs.start[i].value);
}

size_t yaml_doc_seq_size(const yaml_node_t *seq)
{
    if (!yaml_doc_is_seq(seq))
        return 0;
    return (size_t)(seq->data.sequence.items.top -
                    seq->data.sequence.items.start);
}

yaml_node_t *yaml_doc_seq_item(yaml_doc *d, const yaml_node_t *seq, size_t i)
{
    if (i >= yaml_doc_seq_size(seq))
        return NULL;
    return yaml_document_get_node(&d->doc, seq->data.sequence.items.start[i]);
}

const char *yaml_doc_str(const yaml_node_t *n)
{
    if (!yaml_doc_is_scalar(n))
        return NULL;
    return (const char *)n->data.scalar.value;
}

/* 1/0 for a plain YAML 1.1 boolean, -1 otherwise. */
static int plain_bool(const yaml_node_t *n)
{
    static const char *const yes[] = {"y",   "Y",    "yes",  "Yes",
                                      "YES", "true", "True", "TRUE",
                                      "on",  "On",   "ON",   NULL};
    static const char *const no[] = {"n",   "N",     "no",    "No",
                                     "NO",  "false", "False", "FALSE",
                                     "off", "Off",   "OFF",   NULL};
    const char *s = yaml_doc_str(n);

    if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return -1;
    for (size_t i = 0; yes[i]; i++)
        if (!strcmp(s, yes[i]))
            return 1;
    for (size_t i = 0; no[i]; i++)
        if (!strcmp(s, no[i]))
            return 0;
    return -1;
}

int yaml_doc_text(const char **out, const yaml_node_t *n, errmsg *err)
{
    int b;

    if (!n)
        return err_set(err, ERR_NOTFOUND, "is missing");
    if (n->type == YAML_MAPPING_NODE)
        return err_set(err, ERR_INVALID, "is a mapping, not a text");
    if (n->type == YAML_SEQUENCE_NODE)
        return err_set(err, ERR_INVALID, "is a list, not a text");
    b = plain_bool(n);
    *out = b == 1 ? "yes" : b == 0 ? "no" : yaml_doc_str(n);
    return 0;
}

int yaml_doc_int(long long *out, const yaml_node_t *n, errmsg *err)
{
    const char *s = yaml_doc_str(n);
    char *end = NULL;
    long long v;

    if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !*s)
        return err_set(err, ERR_INVALID, "is not a whole number");
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end || errno || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
        return err_set(err, ERR_INVALID, "is not a whole number");
    *out = v;
    return 0;
}

int yaml_doc_bool(int *out, const yaml_node_t *n, errmsg *err)
{
    int b = plain_bool(n);

    if (b < 0)
        return err_set(err, ERR_INVALID, "is not true or false");
    *out = b;
    return 0;
}
