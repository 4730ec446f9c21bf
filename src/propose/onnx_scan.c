/* onnx_scan.c - walk an ONNX ModelProto's main graph and count quantisation
 * operators (see onnx_scan.h).  Every read is bounds-checked: the input is
 * untrusted. */
#include "propose/onnx_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct pb {
	const uint8_t *p, *end;
};

/* Reads a varint; -1 when truncated or longer than 10 bytes. */
static int pb_varint(struct pb *b, uint64_t *v)
{
	uint64_t r = 0;
	int shift;
	for (shift = 0; shift < 70; shift += 7) {
		uint8_t c;
		if (b->p >= b->end)
			return -1;
		c = *b->p++;
		if (shift == 63 && c > 1)
			return -1;
		r |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -1;
}

/* Reads one field key and, for length-delimited fields, the payload into
 * *sub; other wire types are skipped (their value in *v for varints).
 * Returns 0, or -1 on malformed input. */
static int pb_field(struct pb *b, uint32_t *field, int *wire, uint64_t *v, struct pb *sub)
{
	uint64_t key, len;
	if (pb_varint(b, &key))
		return -1;
	*field = (uint32_t)(key >> 3);
	*wire = (int)(key & 7);
	if (*field == 0)
		return -1;
	switch (*wire) {
	case 0:
		return pb_varint(b, v);
	case 1:
		if (b->end - b->p < 8)
			return -1;
		b->p += 8;
		return 0;
	case 5:
		if (b->end - b->p < 4)
			return -1;
		b->p += 4;
		return 0;
	case 2:
		if (pb_varint(b, &len) || len > (uint64_t)(b->end - b->p))
			return -1;
		sub->p = b->p;
		sub->end = b->p + len;
		b->p += len;
		return 0;
	default:
		return -1; /* groups (3, 4) are not used by onnx.proto */
	}
}

int mlfy_onnx_op_is_quantized(const char *op, size_t len)
{
	static const char *const names[] = {
		"QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger",
		"ConvInteger", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "QGemm", "QAttention",
	};
	size_t i;
	if (len >= 7 && !memcmp(op, "QLinear", 7))
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && !memcmp(op, names[i], len))
			return 1;
	return 0;
}

static int scan_node(struct pb node, struct mlfy_onnx_scan *out)
{
	uint32_t f;
	int wire;
	uint64_t v;
	struct pb sub;
	while (node.p < node.end) {
		if (pb_field(&node, &f, &wire, &v, &sub))
			return -1;
		if (f == 4 && wire == 2) {
			size_t len = (size_t)(sub.end - sub.p);
			if (mlfy_onnx_op_is_quantized((const char *)sub.p, len)) {
				if (!out->n_quantized) {
					size_t n = len < sizeof(out->first_quant_op) - 1
							   ? len : sizeof(out->first_quant_op) - 1;
					memcpy(out->first_quant_op, sub.p, n);
					out->first_quant_op[n] = '\0';
				}
				out->n_quantized++;
			}
		}
	}
	return 0;
}

int mlfy_onnx_scan_mem(const void *buf, size_t len, struct mlfy_onnx_scan *out,
		       struct mlfy_err *err)
{
	struct pb b = { buf, (const uint8_t *)buf + len }, sub, g;
	uint32_t f;
	int wire, have_graph = 0;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	while (b.p < b.end) {
		size_t at = (size_t)(b.p - (const uint8_t *)buf);
		if (pb_field(&b, &f, &wire, &v, &sub))
			return mlfy_err_set(err, MLFY_EINVAL,
					    "not an ONNX model: bad protobuf field at byte %zu", at);
		if (f == 1 && wire == 0)
			out->ir_version = (int64_t)v;
		if (f != 7 || wire != 2)
			continue;
		have_graph = 1;
		g = sub;
		while (g.p < g.end) {
			struct pb node;
			at = (size_t)(g.p - (const uint8_t *)buf);
			if (pb_field(&g, &f, &wire, &v, &node))
				return mlfy_err_set(err, MLFY_EINVAL,
						    "not an ONNX model: bad graph field at byte %zu", at);
			if (f != 1 || wire != 2)
				continue;
			out->n_nodes++;
			if (scan_node(node, out))
				return mlfy_err_set(err, MLFY_EINVAL,
						    "not an ONNX model: bad node at byte %zu", at);
		}
	}
	if (!have_graph)
		return mlfy_err_set(err, MLFY_EINVAL, "not an ONNX model: no graph");
	return 0;
}

int mlfy_onnx_scan_file(const char *path, struct mlfy_onnx_scan *out, struct mlfy_err *err)
{
	struct stat st;
	void *map;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mlfy_err_set(err, errno == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: %s", path,
				    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: not a regular file", path);
		close(fd);
		return rc;
	}
	if (st.st_size == 0) {
		close(fd);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: empty file", path);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return mlfy_err_set(err, MLFY_EIO, "%s: mmap: %s", path, strerror(errno));
	rc = mlfy_onnx_scan_mem(map, (size_t)st.st_size, out, err);
	munmap(map, (size_t)st.st_size);
	if (rc)
		mlfy_err_prefix(err, "%s", path);
	return rc;
}
