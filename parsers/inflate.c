/*
 * inflate.c - gzip files and zip members decompressed with zlib, bounded
 * in size and in ratio (see inflate.h).
 *
 * One inflater (inflate_run) serves both: zlib's gzip decoding (window
 * bits 16 + MAX_WBITS) for gzip, raw deflate (-MAX_WBITS) for a zip
 * member. The output buffer starts small and doubles, never past the
 * bound; after every step the bytes out are compared with the bytes in.
 *
 * The zip reader follows the APPNOTE's layout, all numbers little-endian:
 *   end of central directory: "PK\5\6", disk numbers (2+2), entries on
 *     this disk (2), entries (2), directory size (4), directory offset (4),
 *     comment length (2), comment; found by searching back from the end
 *     over at most 22 + 65535 bytes;
 *   central directory entry: "PK\1\2", versions (2+2), flags (2), method
 *     (2), time and date (2+2), CRC-32 (4), compressed and uncompressed
 *     sizes (4+4), name, extra and comment lengths (2+2+2), disk (2),
 *     attributes (2+4), local header offset (4), then the name, the extra
 *     field and the comment;
 *   local header: "PK\3\4", version (2), flags (2), method (2), time and
 *     date (2+2), CRC-32 (4), sizes (4+4), name and extra lengths (2+2),
 *     name, extra, then the data.
 * Sizes and the CRC come from the central directory (a local header may
 * leave them to a data descriptor after the data, flag bit 3). Every
 * offset and length is checked against the archive's bounds before use.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "inflate.h"

#define INFLATE_FIRST_CHUNK	(16 * 1024)
#define ZIP_EOCD_SIZE		22
#define ZIP_CDIR_SIZE		46
#define ZIP_LOCAL_SIZE		30
#define ZIP_COMMENT_MAX		65535
#define ZIP_FLAG_ENCRYPTED	0x0001
#define ZIP_METHOD_STORED	0
#define ZIP_METHOD_DEFLATED	8

/* One member as the central directory describes it. */
struct zip_entry {
	const unsigned char	*name;
	size_t			 name_len;
	unsigned		 flags;
	unsigned		 method;
	uint32_t		 crc;
	uint32_t		 csize;
	uint32_t		 usize;
	uint32_t		 local;		/* offset of the local header */
};

static unsigned	le16(const unsigned char *);
static uint32_t	le32(const unsigned char *);
static int	inflate_run(const unsigned char *, size_t, int, size_t,
		    size_t, char **, size_t *, size_t *);
static int	zip_eocd(const unsigned char *, size_t, size_t *,
		    size_t *);
static int	zip_entry_at(const unsigned char *, size_t, size_t,
		    struct zip_entry *, size_t *);
static int	zip_wanted(const struct zip_entry *, const char *const *,
		    size_t);
static int	zip_extract(const unsigned char *, size_t,
		    const struct zip_entry *, size_t, char **, size_t *);

static unsigned
le16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static uint32_t
le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

int
inflate_is_gzip(const void *buf, size_t len)
{
	const unsigned char	*p = buf;

	return len >= 18 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8;
}

int
inflate_is_zip(const void *buf, size_t len)
{
	return len >= ZIP_LOCAL_SIZE && memcmp(buf, "PK\3\4", 4) == 0;
}

const char *
inflate_strerror(int rc)
{
	switch (rc) {
	case INFLATE_OK:
		return "ok";
	case INFLATE_NOMEM:
		return "out of memory";
	case INFLATE_TOO_BIG:
		return "larger than allowed once decompressed";
	case INFLATE_UNSUPPORTED:
		return "an archive feature not read (ZIP64, encryption, "
		    "method)";
	case INFLATE_NONE:
		return "no member of that kind";
	default:
		return "damaged or not that format";
	}
}

/*
 * Inflate in[0..len) with zlib window bits wbits, into a new buffer of at
 * most max_out bytes (first allocation at most hint, when not 0), the
 * ratio bounded (see inflate.h). gzip members that follow one another are
 * read on. *used is how many input bytes were consumed. INFLATE_OK or an
 * error.
 */
static int
inflate_run(const unsigned char *in, size_t len, int wbits, size_t max_out,
    size_t hint, char **out, size_t *outlen, size_t *used)
{
	z_stream	 zs;
	char		*buf = NULL, *nb;
	size_t		 cap, total_in = 0, total_out = 0, step;
	int		 zr = Z_OK, rc = INFLATE_BAD;

	*out = NULL;
	*outlen = 0;
	*used = 0;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, wbits) != Z_OK)
		return INFLATE_NOMEM;
	cap = hint > 0 && hint < max_out ? hint : INFLATE_FIRST_CHUNK;
	if (cap > max_out)
		cap = max_out;
	if ((buf = malloc(cap + 1)) == NULL) {
		rc = INFLATE_NOMEM;
		goto done;
	}
	for (;;) {
		if (total_out == cap) {
			if (cap >= max_out) {
				rc = INFLATE_TOO_BIG;
				goto done;
			}
			cap = cap > max_out / 2 ? max_out : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				rc = INFLATE_NOMEM;
				goto done;
			}
			buf = nb;
		}
		step = len - total_in;
		zs.next_in = (unsigned char *)in + total_in;
		zs.avail_in = step > UINT32_MAX ? UINT32_MAX : (uInt)step;
		zs.next_out = (unsigned char *)buf + total_out;
		step = cap - total_out;
		zs.avail_out = step > UINT32_MAX ? UINT32_MAX : (uInt)step;
		step = zs.avail_in;
		zr = inflate(&zs, Z_NO_FLUSH);
		total_in += step - zs.avail_in;
		total_out = (char *)zs.next_out - buf;
		if (total_out > INFLATE_RATIO_MAX * total_in +
		    INFLATE_RATIO_SLACK) {
			rc = INFLATE_TOO_BIG;
			goto done;
		}
		if (zr == Z_STREAM_END) {
			/* another gzip member may follow (RFC 1952 2.2) */
			if (wbits > MAX_WBITS && total_in < len &&
			    inflate_is_gzip(in + total_in, len - total_in) &&
			    inflateReset(&zs) == Z_OK)
				continue;
			break;
		}
		if (zr == Z_MEM_ERROR) {
			rc = INFLATE_NOMEM;
			goto done;
		}
		/* Z_BUF_ERROR with room left: the input ends in the stream */
		if ((zr != Z_OK && zr != Z_BUF_ERROR) || (zr == Z_BUF_ERROR &&
		    total_out < cap))
			goto done;
	}
	buf[total_out] = '\0';
	*out = buf;
	*outlen = total_out;
	*used = total_in;
	buf = NULL;
	rc = INFLATE_OK;
 done:
	inflateEnd(&zs);
	free(buf);
	return rc;
}

int
inflate_gzip(const void *in, size_t len, size_t max_out, char **out,
    size_t *outlen)
{
	size_t	used;

	*out = NULL;
	*outlen = 0;
	if (!inflate_is_gzip(in, len))
		return INFLATE_BAD;
	return inflate_run(in, len, 16 + MAX_WBITS, max_out, 0, out, outlen,
	    &used);
}

/*
 * The end of central directory record of a zip archive: the central
 * directory's offset and entry count. 0, or INFLATE_BAD.
 */
static int
zip_eocd(const unsigned char *z, size_t len, size_t *cdir, size_t *n)
{
	size_t	i, lo;

	if (len < ZIP_EOCD_SIZE)
		return INFLATE_BAD;
	lo = len > ZIP_EOCD_SIZE + ZIP_COMMENT_MAX ?
	    len - ZIP_EOCD_SIZE - ZIP_COMMENT_MAX : 0;
	for (i = len - ZIP_EOCD_SIZE + 1; i-- > lo;) {
		if (memcmp(z + i, "PK\5\6", 4) != 0 ||
		    i + ZIP_EOCD_SIZE + le16(z + i + 20) > len)
			continue;
		*n = le16(z + i + 10);
		*cdir = le32(z + i + 16);
		if (*cdir == 0xFFFFFFFFu || *n == 0xFFFF)
			return INFLATE_UNSUPPORTED;	/* ZIP64 */
		return *cdir < i ? 0 : INFLATE_BAD;
	}
	return INFLATE_BAD;
}

/*
 * The central directory entry at offset off into e, and the offset of the
 * next one into *next. 0, or INFLATE_BAD when it does not fit or is not
 * one.
 */
static int
zip_entry_at(const unsigned char *z, size_t len, size_t off,
    struct zip_entry *e, size_t *next)
{
	const unsigned char	*p = z + off;
	size_t			 nl, el, cl;

	if (off > len || len - off < ZIP_CDIR_SIZE ||
	    memcmp(p, "PK\1\2", 4) != 0)
		return INFLATE_BAD;
	nl = le16(p + 28);
	el = le16(p + 30);
	cl = le16(p + 32);
	if (len - off - ZIP_CDIR_SIZE < nl + el + cl)
		return INFLATE_BAD;
	e->flags = le16(p + 8);
	e->method = le16(p + 10);
	e->crc = le32(p + 16);
	e->csize = le32(p + 20);
	e->usize = le32(p + 24);
	e->local = le32(p + 42);
	e->name = p + ZIP_CDIR_SIZE;
	e->name_len = nl;
	*next = off + ZIP_CDIR_SIZE + nl + el + cl;
	return 0;
}

/* Whether e is a file whose name ends with one of suffixes. */
static int
zip_wanted(const struct zip_entry *e, const char *const *suffixes, size_t n)
{
	size_t	i, sl;

	if (e->name_len == 0 || e->name[e->name_len - 1] == '/')
		return 0;		/* a directory */
	if (n == 0)
		return 1;
	for (i = 0; i < n; i++) {
		sl = strlen(suffixes[i]);
		if (e->name_len >= sl && strncasecmp((const char *)e->name +
		    e->name_len - sl, suffixes[i], sl) == 0)
			return 1;
	}
	return 0;
}

/* The data of member e, decompressed and checked. INFLATE_OK or error. */
static int
zip_extract(const unsigned char *z, size_t len, const struct zip_entry *e,
    size_t max_out, char **out, size_t *outlen)
{
	const unsigned char	*lh;
	size_t			 data, used;
	int			 rc;

	if (e->flags & ZIP_FLAG_ENCRYPTED)
		return INFLATE_UNSUPPORTED;
	if (e->csize == 0xFFFFFFFFu || e->usize == 0xFFFFFFFFu)
		return INFLATE_UNSUPPORTED;		/* ZIP64 */
	if (e->method != ZIP_METHOD_STORED && e->method != ZIP_METHOD_DEFLATED)
		return INFLATE_UNSUPPORTED;
	if (e->local > len || len - e->local < ZIP_LOCAL_SIZE)
		return INFLATE_BAD;
	lh = z + e->local;
	if (memcmp(lh, "PK\3\4", 4) != 0)
		return INFLATE_BAD;
	data = (size_t)e->local + ZIP_LOCAL_SIZE + le16(lh + 26) +
	    le16(lh + 28);
	if (data > len || len - data < e->csize)
		return INFLATE_BAD;
	if (e->method == ZIP_METHOD_STORED) {
		if (e->csize != e->usize)
			return INFLATE_BAD;
		if (e->usize > max_out)
			return INFLATE_TOO_BIG;
		if ((*out = malloc((size_t)e->usize + 1)) == NULL)
			return INFLATE_NOMEM;
		memcpy(*out, z + data, e->usize);
		(*out)[e->usize] = '\0';
		*outlen = e->usize;
	} else if ((rc = inflate_run(z + data, e->csize, -MAX_WBITS,
	    max_out, e->usize < max_out ? (size_t)e->usize + 1 : 0, out,
	    outlen, &used)) != INFLATE_OK)
		return rc;
	if (*outlen != e->usize || crc32(crc32(0L, Z_NULL, 0),
	    (const unsigned char *)*out, (uInt)*outlen) != e->crc) {
		free(*out);
		*out = NULL;
		*outlen = 0;
		return INFLATE_BAD;
	}
	return INFLATE_OK;
}

int
inflate_zip(const void *in, size_t len, const char *const *suffixes,
    size_t nsuffixes, size_t max_out, char **out, size_t *outlen,
    char *name, size_t namelen)
{
	const unsigned char	*z = in;
	struct zip_entry	 e;
	size_t			 off, n, i, k;
	int			 rc;

	*out = NULL;
	*outlen = 0;
	if (name != NULL && namelen > 0)
		name[0] = '\0';
	if (!inflate_is_zip(in, len))
		return INFLATE_BAD;
	if ((rc = zip_eocd(z, len, &off, &n)) != 0)
		return rc;
	for (i = 0; i < n && i < INFLATE_ZIP_ENTRIES_MAX; i++) {
		if (zip_entry_at(z, len, off, &e, &off) != 0)
			return INFLATE_BAD;
		if (!zip_wanted(&e, suffixes, nsuffixes))
			continue;
		if (name != NULL && namelen > 0) {
			k = e.name_len < namelen - 1 ? e.name_len :
			    namelen - 1;
			memcpy(name, e.name, k);
			name[k] = '\0';
		}
		return zip_extract(z, len, &e, max_out, out, outlen);
	}
	return INFLATE_NONE;
}
