/* json_schema.c: the tests' JSON-schema validator and YAML as JSON (see
 * json_schema.h). */
#include "json_schema.h"

#include "fixture.h"
#include "yaml_io.h"

#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- patterns ---------------------------------------------------------- */

/* Compiled patterns, by pattern text (compiled once: the checks run for
 * every scalar). ok is 0 for a pattern POSIX cannot read. */
static struct re_cache {
    char *pattern;
    regex_t re;
    int ok;
} re_cached[128];

/* Bracket expression p (after its '['), ECMA-262, into out as POSIX:
 * escapes resolved, a literal ']' first and '-' last. The position
 * after its ']', or NULL when it is not one POSIX can read. */
static const char *bracket_posix(const char *p, buf *out)
{
    buf body = {0};
    int neg = 0, dash = 0, rbr = 0;

    if (*p == '^') {
        neg = 1;
        p++;
    }
    for (; *p && *p != ']'; p++) {
        if (*p == '\\') {
            p++;
            if (*p == 'd')
                buf_puts(&body, "0-9");
            else if (*p == 'w')
                buf_puts(&body, "A-Za-z0-9_");
            else if (*p == 's')
                buf_puts(&body, "[:space:]");
            else if (*p == '-')
                dash = 1;
            else if (*p == ']')
                rbr = 1;
            else if (*p && strchr("./\\[^$|?*+(){}", *p) &&
                     !(*p == '^' && body.len == 0))
                buf_putc(&body, *p);
            else
                goto no;
        } else if (*p == '-' &&
                   (body.len == 0 || p[1] == ']')) { /* a literal '-' */
            dash = 1;
        } else if (*p == '[') {
            goto no; /* [: classes :] are not ECMA */
        } else {
            buf_putc(&body, *p);
        }
    }
    if (*p != ']')
        goto no;
    buf_putc(out, '[');
    if (neg)
        buf_putc(out, '^');
    if (rbr)
        buf_putc(out, ']');
    buf_append(out, body.data, body.len);
    if (dash)
        buf_putc(out, '-');
    buf_putc(out, ']');
    buf_dispose(&body);
    return p + 1;
no:
    buf_dispose(&body);
    return NULL;
}

/* An ECMA-262 pattern as a POSIX extended regex, or NULL when it uses
 * what POSIX has not (lookaround, lazy quantifiers, back references,
 * \b). Patterns already POSIX come out unchanged. */
static char *ecma_posix(const char *p)
{
    buf out = {0};

    while (*p) {
        if (*p == '\\') {
            char c = p[1];
            if (c == 'd')
                buf_puts(&out, "[0-9]");
            else if (c == 'D')
                buf_puts(&out, "[^0-9]");
            else if (c == 'w')
                buf_puts(&out, "[A-Za-z0-9_]");
            else if (c == 'W')
                buf_puts(&out, "[^A-Za-z0-9_]");
            else if (c == 's')
                buf_puts(&out, "[[:space:]]");
            else if (c == 'S')
                buf_puts(&out, "[^[:space:]]");
            else if (c == '/' || c == '-')
                buf_putc(&out, c);
            else if (c && strchr(".^$|?*+()[]{}\\", c)) {
                buf_putc(&out, '\\');
                buf_putc(&out, c);
            } else
                goto no;
            p += 2;
        } else if (*p == '[') {
            p = bracket_posix(p + 1, &out);
            if (!p)
                goto no;
        } else if (*p == '(' && p[1] == '?') {
            if (p[2] != ':')
                goto no; /* lookaround, named groups */
            buf_putc(&out, '(');
            p += 3;
        } else if (strchr("*+?}", *p) && *p && p[1] == '?') {
            goto no; /* lazy */
        } else {
            buf_putc(&out, *p++);
        }
    }
    return buf_detach(&out);
no:
    buf_dispose(&out);
    return NULL;
}

static const struct re_cache *re_get(const char *pattern)
{
    size_t i;
    char *posix;

    for (i = 0; i < UFX_NELEM(re_cached) && re_cached[i].pattern; i++)
        if (!strcmp(re_cached[i].pattern, pattern))
            return &re_cached[i];
    if (i == UFX_NELEM(re_cached))
        fail_msg("too many patterns");
    re_cached[i].pattern = strdup(pattern);
    assert_non_null(re_cached[i].pattern);
    posix = ecma_posix(pattern);
    re_cached[i].ok = posix && regcomp(&re_cached[i].re, posix,
                                       REG_EXTENDED | REG_NOSUB) == 0;
    free(posix);
    return &re_cached[i];
}

int jsch_re_match(const char *re, const char *s)
{
    const struct re_cache *c = re_get(re);

    if (!c->ok)
        fail_msg("the pattern %s is not one this validator can read", re);
    return regexec(&c->re, s, 0, NULL, 0) == 0;
}

void jsch_cleanup(void)
{
    for (size_t i = 0; i < UFX_NELEM(re_cached) && re_cached[i].pattern; i++) {
        if (re_cached[i].ok)
            regfree(&re_cached[i].re);
        free(re_cached[i].pattern);
        re_cached[i].pattern = NULL;
    }
}

/* ---- YAML as JSON ------------------------------------------------------ */

/* What a plain scalar is under YAML 1.2's core schema. */
static cJSON *plain_12(const char *s)
{
    if (jsch_re_match("^(null|Null|NULL|~|)$", s))
        return cJSON_CreateNull();
    if (jsch_re_match("^(true|True|TRUE)$", s))
        return cJSON_CreateTrue();
    if (jsch_re_match("^(false|False|FALSE)$", s))
        return cJSON_CreateFalse();
    if (jsch_re_match("^[-+]?[0-9]+$", s) ||
        jsch_re_match("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
                      s))
        return cJSON_CreateNumber(strtod(s, NULL));
    if (jsch_re_match("^(0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\\.(inf|Inf|INF)|\\."
                      "(nan|NaN|NAN))$",
                      s))
        return cJSON_CreateNumber(0);
    return NULL; /* a string */
}

/* 1 when a YAML 1.1 reader (PyYAML, many YAML tools) takes plain scalar s
 * for something else than a string. */
static int plain_11_not_string(const char *s)
{
    return jsch_re_match("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|"
                         "false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|"
                         "NULL|~|)$",
                         s) ||
           jsch_re_match("^[-+]?(0b[01_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-"
                         "fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$",
                         s) ||
           jsch_re_match("^[-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+][0-9]+)?$", s) ||
           jsch_re_match("^[-+]?\\.[0-9_]+([eE][-+][0-9]+)?$", s) ||
           jsch_re_match("^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*$", s) ||
           jsch_re_match("^[-+]?\\.(inf|Inf|INF)$|^\\.(nan|NaN|NAN)$", s) ||
           jsch_re_match("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", s) ||
           jsch_re_match("^(<<|=)$", s);
}

/* Node n of d as JSON; ambiguous counts plain scalars a YAML 1.1 reader
 * would take differently. */
static cJSON *to_json(yaml_doc *d, yaml_node_t *n, int *ambiguous)
{
    if (yaml_doc_is_map(n)) {
        cJSON *o = cJSON_CreateObject();
        for (size_t i = 0; i < yaml_doc_map_size(n); i++) {
            const char *k = yaml_doc_str(yaml_doc_map_key(d, n, i));
            assert_non_null(k);
            assert_null(cJSON_GetObjectItemCaseSensitive(o, k));
            cJSON_AddItemToObject(
                o, k, to_json(d, yaml_doc_map_value(d, n, i), ambiguous));
        }
        return o;
    }
    if (yaml_doc_is_seq(n)) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < yaml_doc_seq_size(n); i++)
            cJSON_AddItemToArray(
                a, to_json(d, yaml_doc_seq_item(d, n, i), ambiguous));
        return a;
    }
    if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = yaml_doc_str(n);
        cJSON *v = plain_12(s);
        if (!v && plain_11_not_string(s))
            ++*ambiguous;
        return v ? v : cJSON_CreateString(s);
    }
    return cJSON_CreateString(yaml_doc_str(n));
}

cJSON *jsch_yaml_json(const char *text, int *ambiguous)
{
    yaml_doc d = {0};
    errmsg err = {0};
    int line = 0, amb = 0;
    cJSON *j;

    if (yaml_doc_load(&d, text, strlen(text), &line, &err) < 0)
        fail_msg("line %d: %s\n%s", line, err.msg, text);
    j = to_json(&d, yaml_doc_root(&d), &amb);
    yaml_doc_dispose(&d);
    if (ambiguous)
        *ambiguous = amb;
    return j;
}

/* ---- the validator ----------------------------------------------------- */

static const cJSON *schema_root; /* of the validation under way */

static void err_add(jsch_errors *e, const char *path, const char *what,
                    const char *detail)
{
    size_t len = strlen(e->msg);

    e->n++;
    if (len < sizeof e->msg - 200)
        snprintf(e->msg + len, sizeof e->msg - len, "%s: %s %s\n", path, what,
                 detail ? detail : "");
}

/* The schema $ref names: a JSON pointer into the schema's own document
 * ("#/$defs/x", "#/definitions/x/y", "#"). */
static const cJSON *resolve(const char *ref)
{
    const cJSON *s = schema_root;
    const char *p = ref + 1;

    if (ref[0] != '#' || (ref[1] && ref[1] != '/'))
        fail_msg("unsupported $ref %s", ref);
    while (*p == '/') {
        char tok[256];
        size_t n = 0;
        for (p++; *p && *p != '/'; p++) {
            char c = *p;
            if (c == '~' && (p[1] == '0' || p[1] == '1'))
                c = *++p == '0' ? '~' : '/';
            else if (c == '%')
                fail_msg("unsupported $ref %s (escaped)", ref);
            if (n + 1 < sizeof tok)
                tok[n++] = c;
        }
        tok[n] = '\0';
        s = cJSON_GetObjectItemCaseSensitive(s, tok);
        if (!s)
            fail_msg("no definition %s", ref);
    }
    return s;
}

static int type_is(const cJSON *v, const char *t)
{
    if (!strcmp(t, "string"))
        return cJSON_IsString(v);
    if (!strcmp(t, "number"))
        return cJSON_IsNumber(v);
    if (!strcmp(t, "integer"))
        return cJSON_IsNumber(v) && v->valuedouble > -9e18 &&
               v->valuedouble < 9e18 && /* (long long) is defined */
               v->valuedouble == (double)(long long)v->valuedouble;
    if (!strcmp(t, "boolean"))
        return cJSON_IsBool(v);
    if (!strcmp(t, "null"))
        return cJSON_IsNull(v);
    if (!strcmp(t, "array"))
        return cJSON_IsArray(v);
    if (!strcmp(t, "object"))
        return cJSON_IsObject(v);
    fail_msg("unknown type %s", t);
    return 0;
}

/* 1 when v is of format f (which must be one the validator knows). */
static int format_ok(const cJSON *v, const char *f)
{
    if (!strcmp(f, "date-time"))
        return !cJSON_IsString(v) ||
               jsch_re_match("^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}"
                             ":[0-9]{2}(\\.[0-9]+)?([Zz]|[-+][0-9]{2}:[0-9]{2})"
                             "$",
                             v->valuestring);
    if (!strcmp(f, "date"))
        return !cJSON_IsString(v) ||
               jsch_re_match("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", v->valuestring);
    if (!strcmp(f, "uri"))
        return !cJSON_IsString(v) ||
               jsch_re_match("^[A-Za-z][-A-Za-z0-9+.]*:[^[:space:]]*$",
                             v->valuestring);
    if (!strcmp(f, "int32"))
        return !cJSON_IsNumber(v) ||
               (type_is(v, "integer") && v->valuedouble >= (double)INT32_MIN &&
                v->valuedouble <= (double)INT32_MAX);
    if (!strcmp(f, "int64"))
        return !cJSON_IsNumber(v) || type_is(v, "integer");
    if (!strcmp(f, "uint64"))
        return !cJSON_IsNumber(v) ||
               (type_is(v, "integer") && v->valuedouble >= 0);
    if (!strcmp(f, "float") || !strcmp(f, "double"))
        return 1; /* any JSON number */
    fail_msg("the format %s is not one this validator knows", f);
    return 0;
}

/* The keywords the validator applies and the annotations it reads past;
 * any other key of a schema fails the test. */
static void keywords_known(const cJSON *s, const char *path)
{
    static const char *const known[] = {
        "$ref", "type", "enum", "const", "pattern", "format", "minimum",
        "exclusiveMinimum", "maximum", "deprecated", "required", "properties",
        "patternProperties", "additionalProperties", "propertyNames",
        "minProperties", "unevaluatedProperties", "items", "minItems",
        "maxItems", "uniqueItems", "allOf", "anyOf", "oneOf", "not", "if",
        "then", "else",
        /* annotations */
        "$schema", "$id", "$comment", "$defs", "definitions", "title",
        "description", "default", "examples", "readOnly", "markdownDescription",
        NULL};
    const cJSON *k;

    cJSON_ArrayForEach(k, s)
    {
        size_t i = 0;
        while (known[i] && strcmp(known[i], k->string))
            i++;
        if (!known[i])
            fail_msg("%s: the schema keyword %s is not one this validator "
                     "applies",
                     path, k->string);
    }
}

/* Marks key as evaluated (ev: an object used as a set). */
static void ev_add(cJSON *ev, const char *key)
{
    if (ev && !cJSON_GetObjectItemCaseSensitive(ev, key))
        cJSON_AddTrueToObject(ev, key);
}

static void ev_merge(cJSON *ev, const cJSON *from)
{
    const cJSON *k;

    cJSON_ArrayForEach(k, from) ev_add(ev, k->string);
}

static void validate(const cJSON *v, const cJSON *s, const char *path,
                     jsch_errors *e, cJSON *ev);

/* v against s with errors of its own: 1 when valid; its evaluated keys
 * into ev when valid. */
static int valid_alone(const cJSON *v, const cJSON *s, const char *path,
                       cJSON *ev)
{
    jsch_errors sub = {{0}, 0};
    cJSON *mine = cJSON_CreateObject();

    validate(v, s, path, &sub, mine);
    if (sub.n == 0)
        ev_merge(ev, mine);
    cJSON_Delete(mine);
    return sub.n == 0;
}

/* The keywords of an object value v. */
static void validate_object(const cJSON *v, const cJSON *s, const char *path,
                            jsch_errors *e, cJSON *mine)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    const cJSON *pprops =
        cJSON_GetObjectItemCaseSensitive(s, "patternProperties");
    const cJSON *addl =
        cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(s, "propertyNames");
    const cJSON *k, *x;
    char sub[512];

    x = cJSON_GetObjectItemCaseSensitive(s, "required");
    cJSON_ArrayForEach(k, x)
    {
        if (!cJSON_GetObjectItemCaseSensitive(v, k->valuestring))
            err_add(e, path, "lacks the required key", k->valuestring);
    }
    x = cJSON_GetObjectItemCaseSensitive(s, "minProperties");
    if (x && cJSON_GetArraySize(v) < x->valueint)
        err_add(e, path, "has fewer keys than minProperties", NULL);
    cJSON_ArrayForEach(k, v)
    {
        const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props, k->string);
        const cJSON *pp;
        int matched = ps != NULL;
        snprintf(sub, sizeof sub, "%s.%s", path, k->string);
        if (names) {
            cJSON *name = cJSON_CreateString(k->string);
            validate(name, names, sub, e, NULL);
            cJSON_Delete(name);
        }
        if (ps)
            validate(k, ps, sub, e, NULL);
        cJSON_ArrayForEach(pp, pprops)
        {
            if (jsch_re_match(pp->string, k->string)) {
                matched = 1;
                validate(k, pp, sub, e, NULL);
            }
        }
        if (matched) {
            ev_add(mine, k->string);
        } else if (cJSON_IsFalse(addl)) {
            err_add(e, path, "has a key the schema does not allow:", k->string);
        } else if (addl) {
            ev_add(mine, k->string);
            validate(k, addl, sub, e, NULL);
        }
    }
}

static void validate(const cJSON *v, const cJSON *s, const char *path,
                     jsch_errors *e, cJSON *ev)
{
    const cJSON *k, *x;
    cJSON *mine = cJSON_CreateObject(); /* keys evaluated here */
    char sub[512];

    if (cJSON_IsTrue(s))
        goto done;
    if (cJSON_IsFalse(s)) {
        err_add(e, path, "is refused by a false schema", NULL);
        goto done;
    }
    if (!cJSON_IsObject(s))
        fail_msg("%s: a schema that is no object", path);
    keywords_known(s, path);
    x = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    if (x)
        validate(v, resolve(x->valuestring), path, e, mine);
    x = cJSON_GetObjectItemCaseSensitive(s, "type");
    if (cJSON_IsString(x) && !type_is(v, x->valuestring))
        err_add(e, path, "is not of type", x->valuestring);
    if (cJSON_IsArray(x)) {
        int ok = 0;
        cJSON_ArrayForEach(k, x) ok |= type_is(v, k->valuestring);
        if (!ok)
            err_add(e, path, "is of none of the types", NULL);
    }
    x = cJSON_GetObjectItemCaseSensitive(s, "enum");
    if (x) {
        int ok = 0;
        cJSON_ArrayForEach(k, x) ok |= cJSON_Compare(k, v, 1);
        if (!ok)
            err_add(e, path, "is not one of the enum",
                    cJSON_IsString(v) ? v->valuestring : "");
    }
    x = cJSON_GetObjectItemCaseSensitive(s, "const");
    if (x && !cJSON_Compare(x, v, 1))
        err_add(e, path, "is not the const", NULL);
    x = cJSON_GetObjectItemCaseSensitive(s, "pattern");
    if (x && cJSON_IsString(v) &&
        !jsch_re_match(x->valuestring, v->valuestring))
        err_add(e, path, "does not match", x->valuestring);
    x = cJSON_GetObjectItemCaseSensitive(s, "format");
    if (cJSON_IsString(x) && !format_ok(v, x->valuestring))
        err_add(e, path, "is not of the format", x->valuestring);
    x = cJSON_GetObjectItemCaseSensitive(s, "minimum");
    if (x && cJSON_IsNumber(v) && v->valuedouble < x->valuedouble)
        err_add(e, path, "is below the minimum", NULL);
    x = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMinimum");
    if (x && cJSON_IsNumber(v) && v->valuedouble <= x->valuedouble)
        err_add(e, path, "is not above the exclusive minimum", NULL);
    x = cJSON_GetObjectItemCaseSensitive(s, "maximum");
    if (x && cJSON_IsNumber(v) && v->valuedouble > x->valuedouble)
        err_add(e, path, "is above the maximum", NULL);
    x = cJSON_GetObjectItemCaseSensitive(s, "deprecated");
    if (cJSON_IsTrue(x))
        err_add(e, path, "is deprecated by the schema", NULL);
    if (cJSON_IsObject(v))
        validate_object(v, s, path, e, mine);
    if (cJSON_IsArray(v)) {
        int i = 0, n = cJSON_GetArraySize(v);
        x = cJSON_GetObjectItemCaseSensitive(s, "items");
        if (cJSON_IsArray(x))
            fail_msg("%s: items as a list of schemas is not applied", path);
        cJSON_ArrayForEach(k, v)
        {
            snprintf(sub, sizeof sub, "%s[%d]", path, i++);
            if (x)
                validate(k, x, sub, e, NULL);
        }
        x = cJSON_GetObjectItemCaseSensitive(s, "minItems");
        if (x && n < x->valueint)
            err_add(e, path, "has fewer items than minItems", NULL);
        x = cJSON_GetObjectItemCaseSensitive(s, "maxItems");
        if (x && n > x->valueint)
            err_add(e, path, "has more items than maxItems", NULL);
        x = cJSON_GetObjectItemCaseSensitive(s, "uniqueItems");
        if (cJSON_IsTrue(x))
            for (int a = 0; a < n; a++)
                for (int b = a + 1; b < n; b++)
                    if (cJSON_Compare(cJSON_GetArrayItem(v, a),
                                      cJSON_GetArrayItem(v, b), 1))
                        err_add(e, path, "has an item twice", NULL);
    }
    x = cJSON_GetObjectItemCaseSensitive(s, "allOf");
    cJSON_ArrayForEach(k, x) validate(v, k, path, e, mine);
    x = cJSON_GetObjectItemCaseSensitive(s, "anyOf");
    if (x) {
        int ok = 0;
        cJSON_ArrayForEach(k, x) ok += valid_alone(v, k, path, mine);
        if (!ok)
            err_add(e, path, "matches none of anyOf", NULL);
    }
    x = cJSON_GetObjectItemCaseSensitive(s, "oneOf");
    if (x) {
        int ok = 0;
        cJSON_ArrayForEach(k, x) ok += valid_alone(v, k, path, mine);
        if (ok != 1)
            err_add(e, path, "does not match exactly one of oneOf", NULL);
    }
    x = cJSON_GetObjectItemCaseSensitive(s, "not");
    if (x && valid_alone(v, x, path, NULL))
        err_add(e, path, "matches what not refuses", NULL);
    x = cJSON_GetObjectItemCaseSensitive(s, "if");
    if (x) {
        const cJSON *then = cJSON_GetObjectItemCaseSensitive(s, "then");
        const cJSON *els = cJSON_GetObjectItemCaseSensitive(s, "else");
        if (valid_alone(v, x, path, mine)) {
            if (then)
                validate(v, then, path, e, mine);
        } else if (els) {
            validate(v, els, path, e, mine);
        }
    }
    x = cJSON_GetObjectItemCaseSensitive(s, "unevaluatedProperties");
    if (cJSON_IsFalse(x) && cJSON_IsObject(v)) {
        cJSON_ArrayForEach(k, v)
        {
            if (!cJSON_GetObjectItemCaseSensitive(mine, k->string))
                err_add(e, path, "has an unevaluated key:", k->string);
        }
    } else if (x && !cJSON_IsTrue(x)) {
        fail_msg("%s: unevaluatedProperties other than false is not applied",
                 path);
    }
done:
    ev_merge(ev, mine);
    cJSON_Delete(mine);
}

const char *jsch_validate(const cJSON *schema, const cJSON *doc, jsch_errors *e)
{
    const cJSON *saved = schema_root;

    memset(e, 0, sizeof *e);
    schema_root = schema;
    validate(doc, schema, "$", e, NULL);
    schema_root = saved;
    return e->msg;
}
