/* gen.c - writes the input of bench/evaluate/run: N_FILES prediction files
 * of [ROWS, COLS] float32 logits (NumPy .npy v1.0), a ReaL-format label
 * file and an original-label file for ROWS images.  Deterministic (xorshift
 * generator seeded per file); each model's top-1 equals the original label
 * for about 75 % of the images and lies in the label set for about 79 %.
 *
 *   gen DIR N_FILES ROWS COLS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static float uniform(void)
{
	return (float)(next() >> 40) / (float)(1u << 24);
}

int main(int argc, char **argv)
{
	long n_files, rows, cols, f, r, c;
	char path[4096], header[128];
	int *orig, *extra;
	float *row;
	FILE *out;

	if (argc != 5) {
		fprintf(stderr, "usage: gen DIR N_FILES ROWS COLS\n");
		return 2;
	}
	n_files = atol(argv[2]);
	rows = atol(argv[3]);
	cols = atol(argv[4]);
	if (n_files < 1 || rows < 1 || cols < 4)
		return 2;
	orig = malloc(rows * sizeof(int));
	extra = malloc(rows * sizeof(int));
	row = malloc(cols * sizeof(float));
	if (!orig || !extra || !row)
		return 1;
	/* ground truth: original label, plus a second label for 40 % of the images */
	state = 88172645463325252ull;
	snprintf(path, sizeof(path), "%s/orig.txt", argv[1]);
	if (!(out = fopen(path, "w")))
		return 1;
	for (r = 0; r < rows; r++) {
		orig[r] = (int)(next() % (uint64_t)cols);
		extra[r] = uniform() < 0.4f ? (orig[r] + 1 + (int)(next() % 3)) % (int)cols : -1;
		fprintf(out, "%d\n", orig[r]);
	}
	fclose(out);
	snprintf(path, sizeof(path), "%s/labels.json", argv[1]);
	if (!(out = fopen(path, "w")))
		return 1;
	fputc('[', out);
	for (r = 0; r < rows; r++) {
		if (extra[r] >= 0)
			fprintf(out, "%s[%d, %d]", r ? ", " : "", orig[r], extra[r]);
		else
			fprintf(out, "%s[%d]", r ? ", " : "", orig[r]);
	}
	fputs("]\n", out);
	fclose(out);

	/* the .npy header: 10 bytes of magic/version/length + a dict padded
	 * with spaces to a 64-byte multiple, ending in '\n' */
	snprintf(header, sizeof(header), "{'descr': '<f4', 'fortran_order': False, 'shape': (%ld, %ld), }",
		 rows, cols);
	for (f = 0; f < n_files; f++) {
		size_t hl = strlen(header), total = 10 + hl + 1, pad = (64 - total % 64) % 64;
		unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
		snprintf(path, sizeof(path), "%s/model_%03ld.npy", argv[1], f);
		if (!(out = fopen(path, "wb")))
			return 1;
		pre[8] = (unsigned char)((hl + pad + 1) & 0xff);
		pre[9] = (unsigned char)((hl + pad + 1) >> 8);
		fwrite(pre, 1, 10, out);
		fputs(header, out);
		for (size_t i = 0; i < pad; i++)
			fputc(' ', out);
		fputc('\n', out);
		state = 0x9E3779B97F4A7C15ull * (uint64_t)(f + 1);
		for (r = 0; r < rows; r++) {
			float u = uniform();
			int top = u < 0.75f ? orig[r]
				: u < 0.85f && extra[r] >= 0 ? extra[r]
				: (int)(next() % (uint64_t)cols);
			for (c = 0; c < cols; c++)
				row[c] = 4.0f * uniform() - 2.0f;
			row[top] = 3.0f + uniform();
			if (fwrite(row, sizeof(float), (size_t)cols, out) != (size_t)cols)
				return 1;
		}
		if (fclose(out))
			return 1;
	}
	free(orig);
	free(extra);
	free(row);
	return 0;
}
