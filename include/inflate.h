/*
 * inflate.h - the compressed attachments reports come in, opened with
 * zlib and never without a bound: a gzip file (RFC 1952; several members
 * joined are read as one), and one member of a zip archive (PKWARE's
 * APPNOTE: the central directory found from the end-of-central-directory
 * record, the member's local header, stored or deflated data, its
 * CRC-32 checked).
 *
 * Bounds: the output is at most max_out bytes, and at most
 * INFLATE_RATIO_MAX times the compressed bytes read so far (plus
 * INFLATE_RATIO_SLACK): a small archive that would expand to a huge one
 * (a "zip bomb") is stopped as soon as it passes either. Zip archives with
 * more than INFLATE_ZIP_ENTRIES_MAX entries are read no further; ZIP64,
 * encrypted members and methods other than stored and deflated are
 * refused.
 *
 * Pure: no I/O, no globals. The output is a new NUL-terminated buffer the
 * caller frees (the NUL is not counted in *outlen).
 */
#ifndef INFLATE_H
#define INFLATE_H

#include <stddef.h>

#define INFLATE_RATIO_MAX	250
#define INFLATE_RATIO_SLACK	(64 * 1024)
#define INFLATE_ZIP_ENTRIES_MAX	1024
#define INFLATE_NAME_MAX	256

enum inflate_rc {
	INFLATE_OK = 0,
	INFLATE_NOMEM = -1,	/* out of memory */
	INFLATE_BAD = -2,	/* not that format, damaged, CRC mismatch */
	INFLATE_TOO_BIG = -3,	/* over max_out or the ratio */
	INFLATE_UNSUPPORTED = -4, /* ZIP64, encrypted, other method */
	INFLATE_NONE = -5	/* zip: no member of that name */
};

/* Whether buf starts like a gzip file / a zip archive. */
int	inflate_is_gzip(const void *buf, size_t len);
int	inflate_is_zip(const void *buf, size_t len);

/*
 * Decompress the gzip file in[0..len) into *out (*outlen bytes).
 * INFLATE_OK, or one of the errors above (*out NULL).
 */
int	inflate_gzip(const void *in, size_t len, size_t max_out, char **out,
	    size_t *outlen);

/*
 * Decompress from the zip archive in[0..len) its first file member whose
 * name ends with one of the suffixes (ASCII case ignored; nsuffixes 0:
 * the first file member at all) into *out (*outlen bytes), its name into
 * name (namelen bytes, cut) when name is not NULL. INFLATE_OK, or one of
 * the errors above (INFLATE_NONE: no such member; *out NULL).
 */
int	inflate_zip(const void *in, size_t len, const char *const *suffixes,
	    size_t nsuffixes, size_t max_out, char **out, size_t *outlen,
	    char *name, size_t namelen);

/* A short English reason for an inflate_rc, for notes and logs. */
const char *inflate_strerror(int rc);

#endif
