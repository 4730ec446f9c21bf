/* csv.c - RFC 4180 record reader, a tolerant number parser and the text
 * field writer with its formula neutralisation (see csv.h).
 * Owns its FILE and field storage; knows nothing about what the columns mean. */
#include "util/csv.h"
#include "util/vec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct mlfy_csv {
	FILE *f;            /* file source, or NULL for a memory source */
	const unsigned char *mem;   /* memory source (borrowed) */
	size_t mem_len, pos;
	char *path;
	size_t line;        /* current physical line (1-based) */
	size_t rec_line;    /* line where the last record started */
	char *buf;          /* field bytes, each NUL-terminated */
	size_t buf_len, buf_cap;
	size_t *starts;     /* field start offsets into buf */
	char **fields;      /* pointers built from starts after the record is read */
	size_t n, cap, fields_cap;
	int at_start;
	int back[3];        /* bytes put back by unrd, last first */
	int n_back;
};

static int csv_new(const char *path, struct mlfy_csv **out, struct mlfy_err *err)
{
	struct mlfy_csv *c;
	*out = NULL;
	if (!(c = calloc(1, sizeof(*c))) || !(c->path = strdup(path))) {
		free(c);
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory", path);
	}
	c->line = 1;
	c->at_start = 1;
	*out = c;
	return 0;
}

int mlfy_csv_open(const char *path, struct mlfy_csv **out, struct mlfy_err *err)
{
	struct mlfy_csv *c;
	int rc;
	if ((rc = csv_new(path, &c, err)))
		return rc;
	if (!(c->f = fopen(path, "rb"))) {
		int e = errno;
		mlfy_csv_close(c);
		return mlfy_err_set(err, e == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: %s", path,
				    strerror(e));
	}
	*out = c;
	return 0;
}

int mlfy_csv_open_mem(const char *name, const void *data, size_t len, struct mlfy_csv **out,
		      struct mlfy_err *err)
{
	struct mlfy_csv *c;
	int rc;
	if ((rc = csv_new(name, &c, err)))
		return rc;
	c->mem = data;
	c->mem_len = data ? len : 0;
	*out = c;
	return 0;
}

void mlfy_csv_close(struct mlfy_csv *c)
{
	if (!c)
		return;
	if (c->f)
		fclose(c->f);
	MLFY_FREE_ALL(c->path, c->buf, c->starts, c->fields, c);
}

size_t mlfy_csv_line(const struct mlfy_csv *c)
{
	return c->rec_line;
}

const char *mlfy_csv_path(const struct mlfy_csv *c)
{
	return c->path;
}

/* The next byte of the source, or EOF. */
static int rd(struct mlfy_csv *c)
{
	if (c->n_back)
		return c->back[--c->n_back];
	if (c->f)
		return getc(c->f);
	return c->pos < c->mem_len ? c->mem[c->pos++] : EOF;
}

/* Puts back a byte rd() returned (three at most, read again last first). */
static void unrd(struct mlfy_csv *c, int ch)
{
	if (ch != EOF && c->n_back < 3)
		c->back[c->n_back++] = ch;
}

static int put(struct mlfy_csv *c, char ch)
{
	if (MLFY_GROW(c->buf, c->buf_cap, c->buf_len + 1))
		return -1;
	c->buf[c->buf_len++] = ch;
	return 0;
}

static int start_field(struct mlfy_csv *c)
{
	if (MLFY_GROW(c->starts, c->cap, c->n + 1))
		return -1;
	c->starts[c->n++] = c->buf_len;
	return 0;
}

/* After a malformed record: skips the rest of the current line, so that
 * the next call starts on the next one.  Returns the line the error was
 * found on, for the message. */
static size_t skip_line(struct mlfy_csv *c)
{
	size_t line = c->line;
	int ch;
	while ((ch = rd(c)) != EOF && ch != '\n' && ch != '\r')
		;
	if (ch == '\r' && (ch = rd(c)) != '\n')
		unrd(c, ch);
	if (ch != EOF)
		c->line++;
	return line;
}

int mlfy_csv_next(struct mlfy_csv *c, char ***fields, size_t *n_fields,
		  struct mlfy_err *err)
{
	int ch;
	size_t i, line;

	for (;;) {
		int quoted = 0, after_quote = 0, any = 0;
		c->buf_len = 0;
		c->n = 0;
		c->rec_line = c->line;
		if (c->at_start) {
			/* skip a UTF-8 byte-order mark (other text starting
			 * with 0xEF, e.g. U+FF06, is kept) */
			int a = rd(c), b = EOF, d = EOF;
			c->at_start = 0;
			if (a == 0xEF && (b = rd(c)) == 0xBB && (d = rd(c)) == 0xBF) {
				a = b = d = EOF;
			}
			unrd(c, d);
			unrd(c, b);
			unrd(c, a);
		}
		if (start_field(c))
			goto nomem;
		for (;;) {
			ch = rd(c);
			if (ch == EOF) {
				if (c->f && ferror(c->f))
					return mlfy_err_set(err, MLFY_EIO, "%s:%zu: read error: %s",
							    c->path, c->line, strerror(errno));
				if (quoted)
					return mlfy_err_set(err, MLFY_EINVAL,
							    "%s:%zu: unterminated quoted field",
							    c->path, c->rec_line);
				break;
			}
			any = 1;
			if (ch == '\0') {
				line = skip_line(c);
				return mlfy_err_set(err, MLFY_EINVAL,
						    "%s:%zu: a NUL byte in field %zu (not a text file)",
						    c->path, line, c->n);
			}
			if (quoted) {
				if (ch == '"') {
					int nx = rd(c);
					if (nx == '"') {
						if (put(c, '"'))
							goto nomem;
						continue;
					}
					unrd(c, nx);
					quoted = 0;
					after_quote = 1;
					continue;
				}
				if (ch == '\n')
					c->line++;
				if (put(c, (char)ch))
					goto nomem;
				continue;
			}
			if (ch == '\r') {
				int nx = rd(c);
				if (nx != '\n')
					unrd(c, nx);
				ch = '\n';
			}
			if (ch == '\n') {
				c->line++;
				break;
			}
			if (ch == ',') {
				if (put(c, '\0') || start_field(c))
					goto nomem;
				after_quote = 0;
				continue;
			}
			if (ch == '"') {
				if (c->buf_len != c->starts[c->n - 1] || after_quote) {
					line = skip_line(c);
					return mlfy_err_set(err, MLFY_EINVAL,
							    "%s:%zu: field %zu: stray '\"' in an unquoted field",
							    c->path, line, c->n);
				}
				quoted = 1;
				continue;
			}
			if (after_quote && ch != ' ' && ch != '\t') {
				line = skip_line(c);
				return mlfy_err_set(err, MLFY_EINVAL,
						    "%s:%zu: text after a closing quote in field %zu",
						    c->path, line, c->n);
			}
			if (!after_quote && put(c, (char)ch))
				goto nomem;
		}
		if (put(c, '\0'))
			goto nomem;
		if (!any)
			return 0;   /* end of file */
		if (c->n == 1 && c->buf[0] == '\0')
			continue;   /* blank line */
		break;
	}
	if (MLFY_GROW(c->fields, c->fields_cap, c->n))
		goto nomem;
	for (i = 0; i < c->n; i++)
		c->fields[i] = c->buf + c->starts[i];
	*fields = c->fields;
	*n_fields = c->n;
	return 1;
nomem:
	return mlfy_err_set(err, MLFY_ENOMEM, "%s:%zu: out of memory", c->path, c->line);
}

int mlfy_csv_find(char *const *fields, size_t n_fields, const char *name)
{
	size_t i, len = strlen(name);
	for (i = 0; i < n_fields; i++) {
		const char *f = fields[i];
		size_t fl;
		while (*f == ' ' || *f == '\t')
			f++;
		fl = strlen(f);
		while (fl && (f[fl - 1] == ' ' || f[fl - 1] == '\t'))
			fl--;
		if (fl == len && !memcmp(f, name, len))
			return (int)i;
	}
	return -1;
}

int mlfy_parse_number(const char *s, double *v)
{
	char tmp[128], *end;
	size_t j = 0, digits = 0;
	int seen_sep = 0, seen_point = 0, seen_exp = 0;
	const char *p = s;
	double d;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+' || *p == '-')
		tmp[j++] = *p++;
	for (; *p; p++) {
		if (j + 2 >= sizeof(tmp))
			return MLFY_EINVAL;
		if (*p == ',') {
			/* a separator needs 1-3 digits before it (first group) or
			 * exactly 3 since the previous one, and 3 digits after */
			if (seen_point || seen_exp || digits == 0 || (seen_sep && digits != 3) ||
			    digits > 3 || !isdigit((unsigned char)p[1]) ||
			    !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3]))
				return MLFY_EINVAL;
			seen_sep = 1;
			digits = 0;
			continue;
		}
		if (isdigit((unsigned char)*p)) {
			digits++;
		} else if (*p == '.') {
			if (seen_sep && digits != 3)
				return MLFY_EINVAL;
			seen_point = 1;
		} else if (*p == 'e' || *p == 'E') {
			if (seen_sep && !seen_point && digits != 3)
				return MLFY_EINVAL;
			seen_exp = 1;
		} else if (*p == ' ' || *p == '\t') {
			break;
		} else if (!((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E'))) {
			return MLFY_EINVAL;
		}
		tmp[j++] = *p;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return MLFY_EINVAL;
	if (seen_sep && !seen_point && !seen_exp && digits != 3)
		return MLFY_EINVAL;
	tmp[j] = '\0';
	if (j == 0)
		return MLFY_EINVAL;
	errno = 0;
	d = strtod(tmp, &end);
	if (end == tmp || *end || errno == ERANGE || !isfinite(d))
		return MLFY_EINVAL;
	*v = d;
	return 0;
}

int mlfy_csv_text_is_formula(const char *s)
{
	if (!s)
		return 0;
	for (; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '"' || *s == '\''; s++)
		if (*s == '\t' || *s == '\r')
			return 1;
	return *s == '=' || *s == '+' || *s == '-' || *s == '@';
}

void mlfy_csv_write_text(FILE *out, const char *s)
{
	int formula = mlfy_csv_text_is_formula(s);
	const char *p;
	if (!s)
		return;
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputs(formula ? "\"'" : "\"", out);
	for (p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

const char *mlfy_csv_text_read(const char *field)
{
	/* the "'" was added exactly when the rest is formula-like; a text that
	 * starts with "'" is formula-like when its rest is ("'" is in the
	 * leading run), so this cannot take a "'" of the text itself */
	return field && field[0] == '\'' && mlfy_csv_text_is_formula(field + 1) ? field + 1 : field;
}
