/* html.c - HTML writing helpers shared by the report's parts (html.h). */
#include "report/html.h"
#include "report/plot.h"

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

void mlfy_html_figure(FILE *f, int formats, const char *name, const char *alt, const char *caption)
{
	static const struct { int bit; const char *ext, *label; } fmts[] = {
		{ MLFY_FIG_PNG, "png", "PNG" }, { MLFY_FIG_PDF, "pdf", "PDF" }, { MLFY_FIG_SVG, "svg", "SVG" },
	};
	const char *shown = formats & MLFY_FIG_SVG ? "svg" : formats & MLFY_FIG_PNG ? "png" : NULL;
	size_t i;
	int first = 1;

	fputs("<figure>", f);
	if (shown) {
		fprintf(f, "<img src=\"%s.%s\" alt=\"", name, shown);
		mlfy_html_esc(f, alt);
		fputs("\">", f);
	}
	fputs("<figcaption>", f);
	mlfy_html_esc(f, caption);
	/* links to the files written, and only those */
	fputs(" <span class=dl>[", f);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (formats & fmts[i].bit) {
			fprintf(f, "%s<a href=\"%s.%s\">%s</a>", first ? "" : " ", name, fmts[i].ext, fmts[i].label);
			first = 0;
		}
	fputs("]</span></figcaption></figure>\n", f);
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
