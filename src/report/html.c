/* html.c - HTML writing helpers shared by the report's parts (html.h). */
#include "report/html.h"

#include <math.h>

#include "util/numfmt.h"

void mlfy_html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
}

void mlfy_html_figure(FILE *f, const char *name, const char *alt, const char *caption)
{
	fprintf(f, "<figure><img src=\"%s.svg\" alt=\"", name);
	mlfy_html_esc(f, alt);
	fprintf(f, "\"><figcaption>");
	mlfy_html_esc(f, caption);
	fprintf(f, " <span class=dl>[<a href=\"%s.png\">PNG</a> <a href=\"%s.pdf\">PDF</a> "
		   "<a href=\"%s.svg\">SVG</a>]</span></figcaption></figure>\n",
		name, name, name);
}

const char *mlfy_html_pct(char *buf, size_t n, double share)
{
	return mlfy_fmt_pct(buf, n, share, 2, 1);
}

void mlfy_html_prop_cell(FILE *f, const struct mlfy_proportion *p, int counts)
{
	if (!p->n) {
		fputs("<td>-</td>", f);
		return;
	}
	fprintf(f, "<td>%.1f %% <small>[%.1f, %.1f]", 100 * p->p, 100 * p->lo, 100 * p->hi);
	if (counts != MLFY_HTML_NO_COUNTS)
		fprintf(f, " %s%zu/%zu", counts == MLFY_HTML_EXPECTED_COUNTS ? "~" : "", p->k, p->n);
	fputs("</small></td>", f);
}
