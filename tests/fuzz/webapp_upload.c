/* webapp_upload.c: libFuzzer target for the attachment checks of the
 * intake (intake_file_check in web/page_requests.c: the file-name
 * sanitiser, extension, size and content sniffing). Input: the file name
 * up to the first newline, then the file's bytes. Whatever is accepted
 * has a usable name: non-empty, not "." or "..", no '/', '\\' or control
 * character, valid UTF-8, at most FORM_MAX_SHORT code points, an accepted
 * extension, and content that does not start like markup or a program.
 * Linked with all of web/ (source set webapp_* of run.sh). */
#include "fuzz.h"
#include "requests_int.h"
#include "str.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t namelen = nl ? (size_t)(nl - data) : size;
    char *name = malloc(namelen + 1);
    const unsigned char *body = nl ? nl + 1 : data + size;
    size_t bodylen = (size_t)(data + size - body);
    char *out_name = NULL, *out_type = NULL, msg[256];

    memcpy(name, data, namelen);
    name[namelen] = '\0';
    if (intake_file_check(&out_name, &out_type, name, body, bodylen, msg,
                          sizeof msg) == 0) {
        size_t n = strlen(out_name);
        const char *dot = strrchr(out_name, '.');
        CHECK(n > 0 && strcmp(out_name, ".") && strcmp(out_name, ".."));
        CHECK(!strchr(out_name, '/') && !strchr(out_name, '\\'));
        CHECK(str_utf8_valid(out_name, n) && !str_has_ctl(out_name));
        CHECK(!strchr(out_name, '\r') && !strchr(out_name, '\n') &&
              !strchr(out_name, '\t'));
        CHECK(str_utf8_len(out_name) <= FORM_MAX_SHORT);
        CHECK(dot != NULL && out_type && *out_type);
        {
            size_t i = 0;
            while (i < bodylen && strchr(" \t\r\n", body[i]))
                i++;
            CHECK(i >= bodylen || body[i] != '<');
            CHECK(!(bodylen >= 2 && body[0] == 'M' && body[1] == 'Z'));
        }
    } else {
        CHECK(msg[0] != '\0');
    }
    free(out_name);
    free(out_type);
    free(name);
    return 0;
}
