/*
 * Templates: a mustache subset parsed once into a flat list of ops per template, rendered by a
 * linear walk over the ops. Sections, partials and the context stack live in fixed arrays of
 * the parser and the renderer, so neither recurses, whatever the template or the data.
 */
#include "agora/tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "agora/err.h"
#include "agora/file.h"
#include "agora/mem.h"

enum op_kind {
    OP_TEXT,     /* src[off, off + len) as it is */
    OP_VAR,      /* the value of 'name', HTML-escaped */
    OP_RAW,      /* the value of 'name' as it is */
    OP_SECTION,  /* 'jump': index of its OP_END */
    OP_INVERTED, /* 'jump': index of its OP_END */
    OP_END,      /* 'jump': index of its OP_SECTION or OP_INVERTED */
    OP_PARTIAL,  /* 'jump': template index (after the check); src[off, off + len): indent */
    OP_COMMENT,  /* a tag kind of the parser only: comments make no op */
};

/* The 'jump' of an OP_PARTIAL before the check, and of {{> @content}} after it. */
#define PARTIAL_UNRESOLVED UINT32_MAX
#define PARTIAL_CONTENT    (UINT32_MAX - 1)

/* First capacity of the output buffer. */
#define OUTPUT_FIRST 4096

struct op {
    uint8_t kind;
    uint8_t nparts;     /* names: dot-separated parts; 0 for "." */
    uint8_t bol;        /* begins a line of the source: indented inside an indented partial */
    uint8_t standalone; /* OP_PARTIAL: alone on its line, so it inherits the caller's indent */
    uint32_t line;      /* of the tag, for the check's messages */
    uint32_t off;       /* see enum op_kind */
    uint32_t len;
    uint32_t name; /* offset in the template's 'names' of the parts, each NUL-terminated */
    uint32_t jump; /* see enum op_kind */
};

struct tmpl {
    char *name;  /* owned */
    char *src;   /* owned copy of the text; OP_TEXT spans and indents point into it */
    char *names; /* owned: the names of the tags, NUL-separated parts */
    size_t names_len;
    size_t names_cap;
    struct op *ops; /* owned */
    uint32_t nops;
    uint32_t ops_cap;
};

struct ag_tmpl_set {
    struct tmpl *tmpls; /* owned, with all they own */
    size_t n;
    size_t cap;
    int checked; /* every partial resolved since the last add */
};

/*
 * Copies 'n' bytes of 's' into 'dst' (48 bytes) for a message: at most 40 of them, bytes outside
 * printable ASCII as '?', "..." when cut.
 */
static const char *
printable(char dst[48], const char *s, size_t n)
{
    size_t k = n > 40 ? 40 : n;

    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (k < n) {
        memcpy(dst + k, "...", 3);
        k += 3;
    }
    dst[k] = '\0';
    return dst;
}

static int
is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* True when 's' is "." or [A-Za-z0-9_-] parts joined by single dots, at most AG_TMPL_MAX_TAG. */
static int
valid_name(const char *s, size_t n)
{
    size_t part = 0;

    if (n == 1 && s[0] == '.') {
        return 1;
    }
    if (n == 0 || n > AG_TMPL_MAX_TAG) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (part == 0) {
                return 0;
            }
            part = 0;
        } else if (is_word(s[i])) {
            part++;
        } else {
            return 0;
        }
    }
    return part > 0;
}

/* True when 's' is 1..AG_TMPL_MAX_NAME bytes of [A-Za-z0-9_.-]. */
static int
valid_tmpl_name(const char *s, size_t n)
{
    if (n == 0 || n > AG_TMPL_MAX_NAME) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_word(s[i]) && s[i] != '.') {
            return 0;
        }
    }
    return 1;
}

static void
tmpl_release(struct tmpl *t)
{
    ag_free(t->name);
    ag_free(t->src);
    ag_free(t->names);
    ag_free(t->ops);
}

/* Index of template 'name' in 'set', or -1. */
static long
set_find(const struct ag_tmpl_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(set->tmpls[i].name, name) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* ---- parser ---- */

struct parser {
    struct tmpl *t;
    const char *src; /* t->src */
    size_t len;
    size_t line_pos; /* lines are counted up to here */
    uint32_t line;   /* line of 'line_pos', from 1 */
    char *err;
    size_t errsize;
};

/* A tag as scanned: "{{" at 'start', the closing braces end before 'end'. */
struct tag {
    enum op_kind kind;
    size_t start;
    size_t end;
    size_t name; /* the trimmed content: src[name, name + name_len) */
    size_t name_len;
    uint32_t line;
};

/* A section open in the parser. */
struct open_section {
    uint32_t op; /* index of its OP_SECTION or OP_INVERTED */
    size_t name; /* its name in src */
    size_t name_len;
    uint32_t line;
};

/* Line of byte 'pos'; positions only grow during a parse. */
static uint32_t
line_at(struct parser *p, size_t pos)
{
    for (; p->line_pos < pos; p->line_pos++) {
        if (p->src[p->line_pos] == '\n') {
            p->line++;
        }
    }
    return p->line;
}

/* True when 'pos' begins a line of the source. */
static int
begins_line(const struct parser *p, size_t pos)
{
    return pos == 0 || p->src[pos - 1] == '\n';
}

/* A new op of 'kind', zeroed otherwise; valid until the next op_add. */
static struct op *
op_add(struct tmpl *t, enum op_kind kind, uint32_t line)
{
    if (t->nops == t->ops_cap) {
        t->ops_cap = t->ops_cap != 0 ? 2 * t->ops_cap : 16;
        t->ops = ag_xrealloc(t->ops, (size_t)t->ops_cap * sizeof(*t->ops));
    }
    struct op *op = &t->ops[t->nops++];
    memset(op, 0, sizeof(*op));
    op->kind = (uint8_t)kind;
    op->line = line;
    return op;
}

/*
 * Stores name 's' of 'n' bytes in the template's names, split at dots into NUL-terminated
 * parts when 'split' (nothing is stored for "."); sets the op's 'name' and 'nparts'.
 */
static void
name_add(struct tmpl *t, struct op *op, const char *s, size_t n, int split)
{
    if (t->names_cap - t->names_len < n + 1) {
        t->names_cap = t->names_cap != 0 ? t->names_cap : 256;
        while (t->names_cap - t->names_len < n + 1) {
            t->names_cap *= 2;
        }
        t->names = ag_xrealloc(t->names, t->names_cap);
    }
    op->name = (uint32_t)t->names_len;
    if (split && n == 1 && s[0] == '.') {
        op->nparts = 0;
        t->names[t->names_len++] = '\0';
        return;
    }
    op->nparts = 1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (split && c == '.') {
            c = '\0';
            op->nparts++;
        }
        t->names[t->names_len++] = c;
    }
    t->names[t->names_len++] = '\0';
}

static int
is_tag_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Scans the tag whose "{{" is at 'start'. Returns 0, or AG_EINVAL with the error set. */
static int
tag_scan(struct parser *p, size_t start, struct tag *tag)
{
    const char *src = p->src;
    size_t q = start + 2;
    int triple = 0;
    char shown[48];

    tag->start = start;
    tag->name = start;
    tag->name_len = 0;
    tag->line = line_at(p, start);
    tag->kind = OP_VAR;
    if (q < p->len) {
        switch (src[q]) {
        case '{':
            tag->kind = OP_RAW;
            triple = 1;
            q++;
            break;
        case '&':
            tag->kind = OP_RAW;
            q++;
            break;
        case '#':
            tag->kind = OP_SECTION;
            q++;
            break;
        case '^':
            tag->kind = OP_INVERTED;
            q++;
            break;
        case '/':
            tag->kind = OP_END;
            q++;
            break;
        case '>':
            tag->kind = OP_PARTIAL;
            q++;
            break;
        case '!':
            tag->kind = OP_COMMENT;
            q++;
            break;
        case '=':
            ag_err_printf(p->err, p->errsize, "line %u: set delimiter tags '{{=' are not supported",
                          tag->line);
            return AG_EINVAL;
        case '$':
        case '<':
            ag_err_printf(p->err, p->errsize,
                          "line %u: '{{%c' (template inheritance) is not supported; a layout "
                          "includes its page with '{{> " AG_TMPL_CONTENT "}}'",
                          tag->line, src[q]);
            return AG_EINVAL;
        default:
            break;
        }
    }
    const char *close = q < p->len ? memmem(src + q, p->len - q, "}}", 2) : NULL;
    if (close == NULL) {
        ag_err_printf(p->err, p->errsize, "line %u: unclosed tag", tag->line);
        return AG_EINVAL;
    }
    size_t c = (size_t)(close - src);
    tag->end = c + 2;
    if (triple) {
        if (tag->end >= p->len || src[tag->end] != '}') {
            ag_err_printf(p->err, p->errsize, "line %u: '{{{' is closed by '}}', want '}}}'",
                          tag->line);
            return AG_EINVAL;
        }
        tag->end++;
    }
    if (tag->kind == OP_COMMENT) {
        return 0;
    }
    while (q < c && is_tag_space(src[q])) {
        q++;
    }
    while (c > q && is_tag_space(src[c - 1])) {
        c--;
    }
    tag->name = q;
    tag->name_len = c - q;
    if (tag->name_len == 0) {
        ag_err_printf(p->err, p->errsize, "line %u: tag has no name", tag->line);
        return AG_EINVAL;
    }
    int ok = tag->kind == OP_PARTIAL
                 ? valid_tmpl_name(src + q, c - q) || (c - q == strlen(AG_TMPL_CONTENT) &&
                                                       memcmp(src + q, AG_TMPL_CONTENT, c - q) == 0)
                 : valid_name(src + q, c - q);
    if (!ok) {
        ag_err_printf(p->err, p->errsize, "line %u: bad name '%s' in a tag", tag->line,
                      printable(shown, src + q, c - q));
        return AG_EINVAL;
    }
    return 0;
}

/*
 * Finds whether 'tag' stands alone on its line (only spaces and tabs around it, which are
 * 'text' or later). If so, '*line_start' is where its line begins and '*next' where the next
 * line does (after "\n" or "\r\n", or the end), and the function returns 1.
 */
static int
standalone(const struct parser *p, const struct tag *tag, size_t text, size_t *line_start,
           size_t *next)
{
    const char *src = p->src;
    size_t i = tag->start;
    size_t j = tag->end;

    if (tag->kind != OP_SECTION && tag->kind != OP_INVERTED && tag->kind != OP_END &&
        tag->kind != OP_PARTIAL && tag->kind != OP_COMMENT) {
        return 0;
    }
    while (i > text && (src[i - 1] == ' ' || src[i - 1] == '\t')) {
        i--;
    }
    if (!begins_line(p, i)) {
        return 0;
    }
    while (j < p->len && (src[j] == ' ' || src[j] == '\t')) {
        j++;
    }
    if (j == p->len) {
        *next = j;
    } else if (src[j] == '\n') {
        *next = j + 1;
    } else if (src[j] == '\r' && j + 1 < p->len && src[j + 1] == '\n') {
        *next = j + 2;
    } else {
        return 0;
    }
    *line_start = i;
    return 1;
}

/*
 * Adds the op(s) of 'tag'; 'alone' tells whether it stands alone on a line beginning at
 * 'line_start'. Returns 0, or AG_EINVAL with the error set.
 */
static int
tag_add(struct parser *p, const struct tag *tag, int alone, size_t line_start,
        struct open_section *open, size_t *nopen)
{
    struct tmpl *t = p->t;
    const char *name = p->src + tag->name;
    char shown[48];
    char shown2[48];

    if (tag->kind == OP_COMMENT) {
        return 0;
    }
    if (tag->kind == OP_END) {
        if (*nopen == 0) {
            ag_err_printf(p->err, p->errsize, "line %u: '{{/%s}}' closes no open section",
                          tag->line, printable(shown, name, tag->name_len));
            return AG_EINVAL;
        }
        struct open_section *o = &open[*nopen - 1];
        if (o->name_len != tag->name_len || memcmp(p->src + o->name, name, o->name_len) != 0) {
            ag_err_printf(p->err, p->errsize,
                          "line %u: '{{/%s}}' does not close section '%s' of line %u", tag->line,
                          printable(shown, name, tag->name_len),
                          printable(shown2, p->src + o->name, o->name_len), o->line);
            return AG_EINVAL;
        }
        struct op *op = op_add(t, OP_END, tag->line);
        op->bol = (uint8_t)(!alone && begins_line(p, tag->start));
        op->jump = o->op;
        t->ops[o->op].jump = t->nops - 1;
        (*nopen)--;
        return 0;
    }
    if ((tag->kind == OP_SECTION || tag->kind == OP_INVERTED) && *nopen == AG_TMPL_MAX_NESTING) {
        ag_err_printf(p->err, p->errsize, "line %u: sections nest deeper than %d", tag->line,
                      AG_TMPL_MAX_NESTING);
        return AG_EINVAL;
    }
    struct op *op = op_add(t, tag->kind, tag->line);
    op->bol = (uint8_t)(!alone && begins_line(p, tag->start));
    name_add(t, op, name, tag->name_len, tag->kind != OP_PARTIAL);
    if (tag->kind == OP_PARTIAL) {
        op->jump = PARTIAL_UNRESOLVED;
        op->standalone = (uint8_t)alone;
        if (alone) {
            op->off = (uint32_t)line_start;
            op->len = (uint32_t)(tag->start - line_start);
        }
    } else if (tag->kind == OP_SECTION || tag->kind == OP_INVERTED) {
        open[*nopen] = (struct open_section){t->nops - 1, tag->name, tag->name_len, tag->line};
        (*nopen)++;
    }
    return 0;
}

/* Adds an OP_TEXT of src[from, to) unless empty. */
static void
text_add(struct parser *p, size_t from, size_t to)
{
    if (to == from) {
        return;
    }
    struct op *op = op_add(p->t, OP_TEXT, 0);
    op->bol = (uint8_t)begins_line(p, from);
    op->off = (uint32_t)from;
    op->len = (uint32_t)(to - from);
}

/* Parses p->src into p->t's ops. Returns 0, or AG_EINVAL with the error set. */
static int
parse(struct parser *p)
{
    struct open_section open[AG_TMPL_MAX_NESTING];
    size_t nopen = 0;
    size_t text = 0; /* start of the text not yet in an op */
    char shown[48];

    while (text < p->len) {
        const char *hit = memmem(p->src + text, p->len - text, "{{", 2);
        if (hit == NULL) {
            break;
        }
        struct tag tag;
        int rc = tag_scan(p, (size_t)(hit - p->src), &tag);
        if (rc < 0) {
            return rc;
        }
        size_t line_start = tag.start;
        size_t next = tag.end;
        int alone = standalone(p, &tag, text, &line_start, &next);
        text_add(p, text, alone ? line_start : tag.start);
        rc = tag_add(p, &tag, alone, line_start, open, &nopen);
        if (rc < 0) {
            return rc;
        }
        text = next;
    }
    text_add(p, text, p->len);
    if (nopen > 0) {
        const struct open_section *o = &open[nopen - 1];
        ag_err_printf(p->err, p->errsize, "line %u: section '%s' is not closed", o->line,
                      printable(shown, p->src + o->name, o->name_len));
        return AG_EINVAL;
    }
    return 0;
}

/* ---- the set ---- */

struct ag_tmpl_set *
ag_tmpl_set_new(void)
{
    return ag_xcalloc(1, sizeof(struct ag_tmpl_set));
}

void
ag_tmpl_set_free(struct ag_tmpl_set *set)
{
    if (set == NULL) {
        return;
    }
    for (size_t i = 0; i < set->n; i++) {
        tmpl_release(&set->tmpls[i]);
    }
    ag_free(set->tmpls);
    ag_free(set);
}

int
ag_tmpl_set_add(struct ag_tmpl_set *set, const char *name, const char *text, size_t len, char *err,
                size_t errsize)
{
    char shown[48];
    size_t name_len = strlen(name);

    ag_err_printf(err, errsize, "%s", "");
    if (!valid_tmpl_name(name, name_len)) {
        ag_err_printf(err, errsize, "bad template name '%s': want 1..%d of A-Z a-z 0-9 _ . -",
                      printable(shown, name, name_len), AG_TMPL_MAX_NAME);
        return AG_EINVAL;
    }
    if (set_find(set, name) >= 0) {
        ag_err_printf(err, errsize, "template '%s' already exists", name);
        return AG_ECONFLICT;
    }
    if (len > AG_TMPL_MAX_FILE) {
        ag_err_printf(err, errsize, "template '%s' has %zu bytes, more than %u", name, len,
                      AG_TMPL_MAX_FILE);
        return AG_ETOOLARGE;
    }

    struct tmpl t;
    memset(&t, 0, sizeof(t));
    t.src = ag_xstrndup(len > 0 ? text : "", len);
    struct parser p = {&t, t.src, len, 0, 1, err, errsize};
    int rc = parse(&p);
    if (rc < 0) {
        tmpl_release(&t);
        return rc;
    }
    t.name = ag_xstrndup(name, name_len);
    if (set->n == set->cap) {
        set->cap = set->cap != 0 ? 2 * set->cap : 16;
        set->tmpls = ag_xrealloc(set->tmpls, set->cap * sizeof(*set->tmpls));
    }
    set->tmpls[set->n++] = t;
    set->checked = 0;
    return 0;
}

int
ag_tmpl_set_check(struct ag_tmpl_set *set, char *err, size_t errsize)
{
    ag_err_printf(err, errsize, "%s", "");
    set->checked = 0;
    for (size_t i = 0; i < set->n; i++) {
        struct tmpl *t = &set->tmpls[i];
        for (uint32_t k = 0; k < t->nops; k++) {
            struct op *op = &t->ops[k];
            if (op->kind != OP_PARTIAL) {
                continue;
            }
            const char *name = t->names + op->name;
            if (strcmp(name, AG_TMPL_CONTENT) == 0) {
                op->jump = PARTIAL_CONTENT;
                continue;
            }
            long target = set_find(set, name);
            if (target < 0) {
                ag_err_printf(err, errsize,
                              "template '%s': line %u: no template '%s' for the partial", t->name,
                              op->line, name);
                return AG_ENOTFOUND;
            }
            op->jump = (uint32_t)target;
        }
    }
    set->checked = 1;
    return 0;
}

/* Length of 'file' without its template extension, or 0 when it has none. */
static size_t
tmpl_stem(const char *file)
{
    static const char *const exts[] = {".html", ".mustache"};
    size_t n = strlen(file);

    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t e = strlen(exts[i]);
        if (n > e && memcmp(file + n - e, exts[i], e) == 0) {
            return n - e;
        }
    }
    return 0;
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads file 'path' (shown as 'shown') with ag_file_read; 'err' says what failed. */
static int
read_file(const char *path, const char *shown, char **text, size_t *len, char *err, size_t errsize)
{
    int rc = ag_file_read(path, AG_TMPL_MAX_FILE, text, len);
    if (rc == AG_ETOOLARGE) {
        ag_err_printf(err, errsize, "'%s' is larger than %u bytes", shown, AG_TMPL_MAX_FILE);
    } else if (rc < 0) {
        ag_err_printf(err, errsize, "cannot %s '%s'", rc == AG_ENOTFOUND ? "open" : "read", shown);
        rc = AG_EINTERNAL;
    }
    return rc;
}

/* Adds file 'file' of folder 'dir' if it is a regular file. */
static int
add_file(struct ag_tmpl_set *set, const char *dir, const char *file, char *err, size_t errsize)
{
    char msg[256];
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    int rc = 0;
    size_t path_len = strlen(dir) + strlen(file) + 2;
    char *path = ag_xmalloc(path_len);
    char *name = ag_xstrndup(file, tmpl_stem(file));

    snprintf(path, path_len, "%s/%s", dir, file);
    if (stat(path, &st) != 0) {
        ag_err_printf(err, errsize, "cannot stat '%s': %s", file, strerror(errno));
        rc = AG_EINTERNAL;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        goto out;
    }
    rc = read_file(path, file, &text, &len, err, errsize);
    if (rc < 0) {
        goto out;
    }
    rc = ag_tmpl_set_add(set, name, text, len, msg, sizeof(msg));
    if (rc < 0) {
        ag_err_printf(err, errsize, "%s: %s", file, msg);
    }
out:
    ag_free(text);
    ag_free(name);
    ag_free(path);
    return rc;
}

int
ag_tmpl_set_add_dir(struct ag_tmpl_set *set, const char *dir, char *err, size_t errsize)
{
    char **files = NULL;
    size_t n = 0;
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;

    ag_err_printf(err, errsize, "%s", "");
    DIR *d = opendir(dir);
    if (d == NULL) {
        ag_err_printf(err, errsize, "cannot open template folder '%s': %s", dir, strerror(errno));
        return AG_ENOTFOUND;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || tmpl_stem(e->d_name) == 0) {
            continue;
        }
        if (n == cap) {
            cap = cap != 0 ? 2 * cap : 16;
            files = ag_xrealloc(files, cap * sizeof(*files));
        }
        files[n++] = ag_xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1) {
        qsort(files, n, sizeof(*files), name_cmp);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = add_file(set, dir, files[i], err, errsize);
    }
    for (size_t i = 0; i < n; i++) {
        ag_free(files[i]);
    }
    ag_free(files);
    return rc;
}

/* ---- renderer ---- */

/* The output: a heap buffer, copied into the arena at the end. */
struct buf {
    char *ptr; /* owned */
    size_t len;
    size_t cap;
};

/* A template being rendered: the top one, then one per partial. */
struct frame {
    const struct tmpl *t;
    uint32_t ret;       /* the caller's op to resume at */
    uint8_t inherit;    /* a standalone partial: the caller's indent comes before its own */
    uint8_t indented;   /* some indent applies to the lines of this frame */
    const char *indent; /* the partial's own indent: 'indent_len' bytes of the caller's src */
    uint32_t indent_len;
};

/* An open section. */
struct section {
    const json_t *list; /* the array iterated, or NULL */
    size_t index;       /* of the element on top of the context stack */
    int pushed;         /* pushed a context, popped at the end */
};

struct render {
    struct buf out;
    const struct ag_tmpl_set *set;
    const struct tmpl *page; /* of {{> @content}}, or NULL */
    size_t steps;
    size_t nframes;
    size_t nsections;
    size_t nctx;
    struct frame frames[AG_TMPL_MAX_PARTIALS + 1];
    struct section sections[AG_TMPL_MAX_STACK];
    const json_t *ctx[AG_TMPL_MAX_STACK + 1]; /* borrowed from the data */
};

/* Makes room for 'n' more bytes. Errors: AG_ETOOLARGE past AG_TMPL_MAX_OUTPUT. */
static int
buf_grow(struct buf *b, size_t n)
{
    size_t need;

    if (__builtin_add_overflow(b->len, n, &need) || need > AG_TMPL_MAX_OUTPUT) {
        return AG_ETOOLARGE;
    }
    size_t cap = b->cap != 0 ? b->cap : OUTPUT_FIRST;
    while (cap < need) {
        cap *= 2;
    }
    if (cap > AG_TMPL_MAX_OUTPUT) {
        cap = AG_TMPL_MAX_OUTPUT;
    }
    b->ptr = ag_xrealloc(b->ptr, cap);
    b->cap = cap;
    return 0;
}

static int
buf_add(struct buf *b, const char *s, size_t n)
{
    if (n > b->cap - b->len) {
        int rc = buf_grow(b, n);
        if (rc < 0) {
            return rc;
        }
    }
    if (n > 0) {
        memcpy(b->ptr + b->len, s, n);
        b->len += n;
    }
    return 0;
}

/* Index into 'escapes' of each byte; 0 for the bytes written as they are. */
static const unsigned char escape_index[256] = {
    ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5, ['`'] = 6, ['='] = 7,
};

/* The entity of each escaped byte, with its length. */
static const struct ag_str escapes[] = {
    {NULL, 0},     {"&amp;", 5}, {"&lt;", 4},  {"&gt;", 4},
    {"&quot;", 6}, {"&#39;", 5}, {"&#96;", 5}, {"&#61;", 5},
};

/* Appends 's' HTML-escaped, in one pass: runs of plain bytes are copied at once. */
static int
buf_add_escaped(struct buf *b, const char *s, size_t n)
{
    size_t run = 0;
    int rc;

    for (size_t i = 0; i < n; i++) {
        unsigned char k = escape_index[(unsigned char)s[i]];
        if (k == 0) {
            continue;
        }
        rc = buf_add(b, s + run, i - run);
        if (rc < 0) {
            return rc;
        }
        rc = buf_add(b, escapes[k].ptr, escapes[k].len);
        if (rc < 0) {
            return rc;
        }
        run = i + 1;
    }
    return buf_add(b, s + run, n - run);
}

/* Writes 'v' into 'dst' in the shortest %g form that reads back as 'v'; returns its length. */
static size_t
format_real(char *dst, size_t size, double v)
{
    int n = 0;

    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(dst, size, "%.*g", prec, v);
        if (strtod(dst, NULL) == v) {
            break;
        }
    }
    return n > 0 ? (size_t)n : 0;
}

/* Appends the value 'v' (may be NULL), HTML-escaped when 'escape'. */
static int
emit_value(struct render *r, const json_t *v, int escape)
{
    char num[40];
    int n;

    if (v == NULL) {
        return 0;
    }
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (escape) {
            return buf_add_escaped(&r->out, json_string_value(v), json_string_length(v));
        }
        return buf_add(&r->out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf_add(&r->out, num, n > 0 ? (size_t)n : 0);
    case JSON_REAL:
        return buf_add(&r->out, num, format_real(num, sizeof(num), json_real_value(v)));
    case JSON_TRUE:
        return buf_add(&r->out, "true", 4);
    default:
        return 0; /* false, null, objects and arrays render nothing */
    }
}

/* Appends the indent of the current frame: its own, after its callers' it inherits. */
static int
emit_indent(struct render *r)
{
    size_t k = r->nframes - 1;

    while (k > 0 && r->frames[k].inherit) {
        k--;
    }
    for (; k < r->nframes; k++) {
        int rc = buf_add(&r->out, r->frames[k].indent, r->frames[k].indent_len);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Appends text 's'; in an indented partial, each line after the first gets the indent. */
static int
emit_text(struct render *r, const char *s, size_t n)
{
    const char *end = s + n;

    if (!r->frames[r->nframes - 1].indented) {
        return buf_add(&r->out, s, n);
    }
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (nl == NULL || nl + 1 == end) {
            return buf_add(&r->out, s, (size_t)(end - s));
        }
        int rc = buf_add(&r->out, s, (size_t)(nl + 1 - s));
        if (rc < 0) {
            return rc;
        }
        rc = emit_indent(r);
        if (rc < 0) {
            return rc;
        }
        s = nl + 1;
    }
    return 0;
}

/*
 * The value of the name of 'op' of 't': its first part from the innermost context outward,
 * the others strictly inside; NULL when missing.
 */
static const json_t *
lookup(const struct render *r, const struct tmpl *t, const struct op *op)
{
    const char *part = t->names + op->name;
    const json_t *v = NULL;

    if (op->nparts == 0) {
        return r->nctx > 0 ? r->ctx[r->nctx - 1] : NULL;
    }
    for (size_t i = r->nctx; i-- > 0;) {
        if (json_is_object(r->ctx[i]) && (v = json_object_get(r->ctx[i], part)) != NULL) {
            break;
        }
    }
    for (unsigned k = 1; k < op->nparts && v != NULL; k++) {
        part += strlen(part) + 1;
        v = json_is_object(v) ? json_object_get(v, part) : NULL;
    }
    return v;
}

/* True when a section over 'v' renders its body. */
static int
truthy(const json_t *v)
{
    if (v == NULL) {
        return 0;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
    case JSON_TRUE:
        return 1;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    default:
        return 0;
    }
}

/* Opens the section 'op' over 'v', or skips it. Errors: AG_EINVAL past AG_TMPL_MAX_STACK. */
static int
section_begin(struct render *r, const struct op *op, const json_t *v, uint32_t *pc)
{
    if (!truthy(v)) {
        *pc = op->jump + 1;
        return 0;
    }
    if (r->nsections == AG_TMPL_MAX_STACK) {
        return AG_EINVAL;
    }
    struct section *s = &r->sections[r->nsections++];
    s->list = json_is_array(v) ? v : NULL;
    s->index = 0;
    s->pushed = json_is_array(v) || json_is_object(v);
    if (s->list != NULL) {
        r->ctx[r->nctx++] = json_array_get(v, 0);
    } else if (s->pushed) {
        r->ctx[r->nctx++] = v;
    }
    (*pc)++;
    return 0;
}

/* At the OP_END 'op' of 't': the next element of a list, or past the section. */
static void
section_end(struct render *r, const struct tmpl *t, const struct op *op, uint32_t *pc)
{
    if (t->ops[op->jump].kind == OP_INVERTED) {
        (*pc)++;
        return;
    }
    struct section *s = &r->sections[r->nsections - 1];
    if (s->list != NULL && ++s->index < json_array_size(s->list)) {
        r->ctx[r->nctx - 1] = json_array_get(s->list, s->index);
        *pc = op->jump + 1;
        return;
    }
    if (s->pushed) {
        r->nctx--;
    }
    r->nsections--;
    (*pc)++;
}

/* Enters the partial 'op' of '*t'. Errors: AG_EINVAL past AG_TMPL_MAX_PARTIALS. */
static int
partial_enter(struct render *r, const struct op *op, const struct tmpl **t, uint32_t *pc)
{
    const struct tmpl *callee = op->jump == PARTIAL_CONTENT ? r->page : &r->set->tmpls[op->jump];

    if (callee == NULL) {
        (*pc)++;
        return 0;
    }
    if (r->nframes == sizeof(r->frames) / sizeof(r->frames[0])) {
        return AG_EINVAL;
    }
    const struct frame *caller = &r->frames[r->nframes - 1];
    struct frame *f = &r->frames[r->nframes++];
    f->t = callee;
    f->ret = *pc + 1;
    f->inherit = op->standalone;
    f->indented = (uint8_t)(op->standalone && (caller->indented || op->len > 0));
    f->indent = (*t)->src + op->off;
    f->indent_len = op->len;
    *t = callee;
    *pc = 0;
    return 0;
}

/* Runs the ops of the top frame to the end. */
static int
run(struct render *r)
{
    const struct tmpl *t = r->frames[0].t;
    uint32_t pc = 0;
    int rc = 0;

    for (;;) {
        if (pc == t->nops) {
            if (r->nframes == 1) {
                return 0;
            }
            r->nframes--;
            pc = r->frames[r->nframes].ret;
            t = r->frames[r->nframes - 1].t;
            continue;
        }
        if (++r->steps > AG_TMPL_MAX_STEPS) {
            return AG_ETOOLARGE;
        }
        const struct op *op = &t->ops[pc];
        if (op->bol && r->frames[r->nframes - 1].indented) {
            rc = emit_indent(r);
            if (rc < 0) {
                return rc;
            }
        }
        switch ((enum op_kind)op->kind) {
        case OP_TEXT:
            rc = emit_text(r, t->src + op->off, op->len);
            pc++;
            break;
        case OP_VAR:
        case OP_RAW:
            rc = emit_value(r, lookup(r, t, op), op->kind == OP_VAR);
            pc++;
            break;
        case OP_SECTION:
            rc = section_begin(r, op, lookup(r, t, op), &pc);
            break;
        case OP_INVERTED:
            pc = truthy(lookup(r, t, op)) ? op->jump + 1 : pc + 1;
            break;
        case OP_END:
            section_end(r, t, op, &pc);
            break;
        case OP_PARTIAL:
            rc = partial_enter(r, op, &t, &pc);
            break;
        case OP_COMMENT:
            pc++;
            break;
        }
        if (rc < 0) {
            return rc;
        }
    }
}

/* Renders 'name' with {{> @content}} as 'page' (may be NULL); see ag_tmpl_render. */
static int
render(const struct ag_tmpl_set *set, const char *name, const char *page, const json_t *data,
       struct ag_arena *arena, char **out, size_t *len)
{
    struct render r;

    *out = NULL;
    *len = 0;
    if (!set->checked) {
        return AG_EINVAL;
    }
    long top = set_find(set, name);
    long content = page != NULL ? set_find(set, page) : -1;
    if (top < 0 || (page != NULL && content < 0)) {
        return AG_ENOTFOUND;
    }
    memset(&r.out, 0, sizeof(r.out));
    r.set = set;
    r.page = content >= 0 ? &set->tmpls[content] : NULL;
    r.steps = 0;
    r.nframes = 1;
    r.nsections = 0;
    r.nctx = 0;
    r.frames[0] = (struct frame){&set->tmpls[top], 0, 0, 0, NULL, 0};
    if (data != NULL) {
        r.ctx[r.nctx++] = data;
    }
    int rc = run(&r);
    if (rc == 0) {
        char *p = ag_arena_alloc(arena, r.out.len + 1);
        if (r.out.len > 0) {
            memcpy(p, r.out.ptr, r.out.len);
        }
        p[r.out.len] = '\0';
        *out = p;
        *len = r.out.len;
    }
    ag_free(r.out.ptr);
    return rc;
}

int
ag_tmpl_render(const struct ag_tmpl_set *set, const char *name, const json_t *data,
               struct ag_arena *arena, char **out, size_t *len)
{
    return render(set, name, NULL, data, arena, out, len);
}

int
ag_tmpl_render_layout(const struct ag_tmpl_set *set, const char *layout, const char *page,
                      const json_t *data, struct ag_arena *arena, char **out, size_t *len)
{
    return render(set, layout, page, data, arena, out, len);
}
