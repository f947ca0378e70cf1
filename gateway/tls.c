/*
 * tls.c - the server SSL_CTX (OpenSSL 3): protocol floor, ciphers and
 * options, certificate chain and key, and the self-signed certificate kept
 * in DATA_DIR/tls/ when the configuration names none.
 *
 * A reload builds a complete new SSL_CTX and swaps it in only when it is
 * good; the old one is released with SSL_CTX_free(), and lives on while
 * SSL objects made from it (which hold a reference) are still open.
 * Errors are returned as text; the only log line is the one announcing a
 * new self-signed certificate.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "log.h"
#include "tls.h"
#include "util.h"

#define TLS_DEFAULT_CIPHERS	"ECDHE+AESGCM:ECDHE+CHACHA20"
#define TLS_SELF_DAYS		825
#define TLS_SELF_RENEW_DAYS	30	/* renew this long before expiry */
#define TLS_PATH_MAX		4096

struct tls_ctx {
	SSL_CTX	*ctx;
};

/* Where the certificate and key of one build come from. */
struct tls_files {
	char	cert[TLS_PATH_MAX];
	char	key[TLS_PATH_MAX];
};

/*
 * Format err as fmt, followed by the reason of the first OpenSSL error
 * queued if there is one (the first is the most precise: "no start line"
 * rather than "PEM lib"), and clear OpenSSL's error queue. Returns -1.
 */
static int
tls_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
tls_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list		 ap;
	unsigned long	 e = ERR_peek_error();
	const char	*reason = e != 0 ? ERR_reason_error_string(e) : NULL;
	size_t		 n;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (reason != NULL && n < errlen)
		snprintf(err + n, errlen - n, ": %s", reason);
	ERR_clear_error();
	return -1;
}

/* ---- the self-signed certificate ---- */

/*
 * The owner the self-signed files are made for: cfg->user when running as
 * root with a user to become (so that a reload after dropping privileges can
 * still read them). 1 with uid and gid set, or 0: keep the current owner.
 */
static int
tls_self_owner(const struct config *cfg, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;

	if (geteuid() != 0 || cfg->user == NULL ||
	    (pw = getpwnam(cfg->user)) == NULL)
		return 0;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 1;
}

/*
 * Open DATA_DIR/tls, made (0700, given to the user) if absent. It must be a
 * real directory: a symbolic link there is refused, never followed, and the
 * files are made relative to the descriptor returned, so that nothing is
 * written or chowned through a name swapped afterwards. -1 with err set.
 */
static int
tls_self_dir(const struct config *cfg, char *dir, size_t len, char *err,
    size_t errlen)
{
	struct stat	st;
	uid_t		uid;
	gid_t		gid;
	int		fd, made, e;

	if ((size_t)snprintf(dir, len, "%s/%s", cfg->data_dir, TLS_SELF_DIR) >=
	    len)
		return tls_error(err, errlen, "%s: path too long",
		    cfg->data_dir);
	made = mkdir(dir, 0700) == 0;
	if (!made && errno != EEXIST)
		return tls_error(err, errlen, "%s: cannot create directory: %s",
		    dir, strerror(errno));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		e = errno;
		if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
			return tls_error(err, errlen, "%s: a symbolic link: "
			    "refused (it must be a directory)", dir);
		return tls_error(err, errlen, "%s: %s", dir,
		    e == ENOTDIR ? "not a directory" : strerror(e));
	}
	if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return tls_error(err, errlen, "%s: not a directory", dir);
	}
	if (made && tls_self_owner(cfg, &uid, &gid) &&
	    fchown(fd, uid, gid) == -1) {
		e = errno;
		close(fd);
		return tls_error(err, errlen, "%s: chown to %s: %s", dir,
		    cfg->user, strerror(e));
	}
	return fd;
}

static int
tls_add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 v3;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A random positive 127-bit serial number. */
static int
tls_set_serial(X509 *x)
{
	BIGNUM	*bn = BN_new();
	int	 ok;

	ok = bn != NULL && BN_rand(bn, 127, BN_RAND_TOP_ANY,
	    BN_RAND_BOTTOM_ANY) &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok;
}

/*
 * A self-signed v3 server certificate for host with key pkey, valid from
 * now for TLS_SELF_DAYS, signed with SHA-256. NULL on failure (the reason
 * is in OpenSSL's error queue).
 */
static X509 *
tls_self_cert(EVP_PKEY *pkey, const char *host)
{
	X509		*x;
	X509_NAME	*name;
	char		 san[600];
	const char	*cn = strlen(host) <= 64 ? host : "intaked";
	int		 local = strcmp(host, "localhost") == 0, ok;

	if ((x = X509_new()) == NULL)
		return NULL;
	snprintf(san, sizeof(san), "%s%s%sDNS:localhost,IP:127.0.0.1,IP:::1",
	    local ? "" : "DNS:", local ? "" : host, local ? "" : ",");
	name = X509_get_subject_name(x);
	ok = X509_set_version(x, X509_VERSION_3) && tls_set_serial(x) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -300) != NULL &&
	    X509_time_adj_ex(X509_getm_notAfter(x), TLS_SELF_DAYS, 0,
	    NULL) != NULL &&
	    X509_set_pubkey(x, pkey) &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) &&
	    X509_set_issuer_name(x, name) &&
	    tls_add_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
	    tls_add_ext(x, NID_ext_key_usage, "serverAuth") &&
	    tls_add_ext(x, NID_subject_key_identifier, "hash") &&
	    tls_add_ext(x, NID_subject_alt_name, san) &&
	    X509_sign(x, pkey, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/*
 * Write a PEM key (pkey) or certificate (x) as name in the directory dirfd
 * (path names it in messages) with mode, given to cfg->user when
 * tls_self_owner() says so, flushed to disk. The file is replaced if it
 * exists; it is always a new file of ours (O_EXCL, O_NOFOLLOW), and only
 * its descriptor is chowned.
 */
static int
tls_write_pem(const struct config *cfg, int dirfd, const char *name,
    const char *path, mode_t mode, EVP_PKEY *pkey, X509 *x, char *err,
    size_t errlen)
{
	FILE	*fp;
	uid_t	 uid;
	gid_t	 gid;
	int	 fd, ok, e;

	(void)unlinkat(dirfd, name, 0);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (fd == -1)
		return tls_error(err, errlen, "%s: cannot create: %s", path,
		    strerror(errno));
	if (fchmod(fd, mode) == -1 ||
	    (tls_self_owner(cfg, &uid, &gid) && fchown(fd, uid, gid) == -1) ||
	    (fp = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		return tls_error(err, errlen, "%s: %s", path, strerror(e));
	}
	ok = pkey != NULL ?
	    PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_X509(fp, x);
	ok = ok && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
	if (fclose(fp) != 0 || !ok)
		return tls_error(err, errlen, "%s: cannot write", path);
	return 0;
}

/*
 * Create a new key and self-signed certificate in dir (open as dirfd) as
 * files->key and files->cert. Each is written to a temporary name and
 * renamed, the key first: a crash leaves either the old pair, or a key
 * without its certificate, which tls_self_usable() refuses, so the next
 * start makes a new pair.
 */
static int
tls_self_create(const struct config *cfg, const char *dir, int dirfd,
    const struct tls_files *files, char *err, size_t errlen)
{
	EVP_PKEY	*pkey;
	X509		*x = NULL;
	char		 tmpkey[TLS_PATH_MAX + 8], tmpcert[TLS_PATH_MAX + 8];
	static const char newkey[] = TLS_SELF_KEY ".new",
			  newcert[] = TLS_SELF_CERT ".new";
	int		 rc = -1;

	snprintf(tmpkey, sizeof(tmpkey), "%s.new", files->key);
	snprintf(tmpcert, sizeof(tmpcert), "%s.new", files->cert);
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL ||
	    (x = tls_self_cert(pkey, cfg->smtp_hostname)) == NULL) {
		tls_error(err, errlen, "%s: cannot create a self-signed "
		    "certificate", dir);
		goto out;
	}
	if (tls_write_pem(cfg, dirfd, newkey, tmpkey, 0600, pkey, NULL, err,
	    errlen) == -1 ||
	    tls_write_pem(cfg, dirfd, newcert, tmpcert, 0644, NULL, x, err,
	    errlen) == -1)
		goto out;
	if (renameat(dirfd, newkey, dirfd, TLS_SELF_KEY) == -1 ||
	    renameat(dirfd, newcert, dirfd, TLS_SELF_CERT) == -1) {
		tls_error(err, errlen, "%s: rename: %s", dir, strerror(errno));
		goto out;
	}
	(void)fsync(dirfd);
	log_info("tls: created a self-signed certificate for %s in %s",
	    cfg->smtp_hostname, files->cert);
	rc = 0;
out:
	if (rc == -1) {
		(void)unlinkat(dirfd, newkey, 0);
		(void)unlinkat(dirfd, newcert, 0);
	}
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}

/* The certificate in path, or NULL with err set. */
static X509 *
tls_read_cert(const char *path, char *err, size_t errlen)
{
	FILE	*fp;
	X509	*x;

	if ((fp = fopen(path, "r")) == NULL) {
		tls_error(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL)
		tls_error(err, errlen, "%s: not a PEM certificate (remove "
		    "the files in that directory to get new ones)", path);
	return x;
}

/* The private key in path (PEM, unencrypted), or NULL with err set. */
static EVP_PKEY *
tls_read_key(const char *path, char *err, size_t errlen)
{
	FILE		*fp;
	EVP_PKEY	*pkey;

	if ((fp = fopen(path, "r")) == NULL) {
		tls_error(err, errlen, "%s: cannot load private key: %s", path,
		    strerror(errno));
		return NULL;
	}
	pkey = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (pkey == NULL) {
		ERR_clear_error();
		tls_error(err, errlen, "%s: cannot load private key: no "
		    "unencrypted PEM key found", path);
	}
	return pkey;
}

/* Whether the key in path is the one certified by x. */
static int
tls_key_matches(const char *path, X509 *x)
{
	EVP_PKEY	*pkey;
	char		 err[256];
	int		 ok;

	pkey = tls_read_key(path, err, sizeof(err));
	ok = pkey != NULL && X509_check_private_key(x, pkey) == 1;
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return ok;
}

/*
 * Whether the pair in files can be used as it is: 1 yes, 0 no (a file is
 * missing, the key is not the certificate's, or the certificate expires
 * within TLS_SELF_RENEW_DAYS: make a new pair), -1 with err set when
 * something is wrong that replacing the files must not hide (a certificate
 * that is not one, a key open to others).
 */
static int
tls_self_usable(const struct tls_files *files, char *err, size_t errlen)
{
	struct stat	 st;
	X509		*x;
	time_t		 renew = time(NULL) + TLS_SELF_RENEW_DAYS * 86400L;
	int		 usable;

	if (lstat(files->key, &st) == -1 || access(files->cert, F_OK) == -1)
		return 0;
	if (!S_ISREG(st.st_mode))
		return tls_error(err, errlen, "%s: not a regular file",
		    files->key);
	if (st.st_mode & 077)
		return tls_error(err, errlen, "%s: permissions %04o are too "
		    "open (want 0600)", files->key, st.st_mode & 07777);
	if ((x = tls_read_cert(files->cert, err, errlen)) == NULL)
		return -1;
	usable = X509_cmp_time(X509_get0_notAfter(x), &renew) > 0 &&
	    tls_key_matches(files->key, x);
	X509_free(x);
	return usable;
}

/* The self-signed pair for cfg in DATA_DIR/tls/, made if needed. */
static int
tls_self_files(const struct config *cfg, struct tls_files *files, char *err,
    size_t errlen)
{
	char	dir[TLS_PATH_MAX - 16];
	int	dirfd, usable;

	if ((dirfd = tls_self_dir(cfg, dir, sizeof(dir), err, errlen)) == -1)
		return -1;
	snprintf(files->cert, sizeof(files->cert), "%s/%s", dir,
	    TLS_SELF_CERT);
	snprintf(files->key, sizeof(files->key), "%s/%s", dir, TLS_SELF_KEY);
	if ((usable = tls_self_usable(files, err, errlen)) == 0)
		usable = tls_self_create(cfg, dir, dirfd, files, err,
		    errlen) == 0 ? 1 : -1;
	close(dirfd);
	return usable == 1 ? 0 : -1;
}

/* ---- the SSL_CTX ---- */

static int
tls_ctx_policy(SSL_CTX *ctx, const struct config *cfg, char *err,
    size_t errlen)
{
	const char	*ciphers = cfg->tls_ciphers != NULL ?
			    cfg->tls_ciphers : TLS_DEFAULT_CIPHERS;
	static const unsigned char sid[] = "intaked";

	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		return tls_error(err, errlen, "cannot set TLS 1.2 minimum");
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	/* many idle sessions: give their buffers back between reads */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (!SSL_CTX_set_cipher_list(ctx, ciphers))
		return tls_error(err, errlen, "tls.ciphers: no usable cipher "
		    "in \"%s\"", ciphers);
	if (!SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1))
		return tls_error(err, errlen, "cannot set session context");
	return 0;
}

/* Load the chain and the key, and say so when they do not belong. */
static int
tls_ctx_load(SSL_CTX *ctx, const struct tls_files *files, char *err,
    size_t errlen)
{
	EVP_PKEY	*pkey;
	int		 ok;

	FILE		*fp;

	/* OpenSSL reports a missing file as "system lib": say it first */
	if ((fp = fopen(files->cert, "r")) == NULL)
		return tls_error(err, errlen, "%s: cannot load certificate: %s",
		    files->cert, strerror(errno));
	fclose(fp);
	if (!SSL_CTX_use_certificate_chain_file(ctx, files->cert))
		return tls_error(err, errlen, "%s: cannot load certificate",
		    files->cert);
	if ((pkey = tls_read_key(files->key, err, errlen)) == NULL)
		return -1;
	if (X509_check_private_key(SSL_CTX_get0_certificate(ctx), pkey) != 1) {
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		return tls_error(err, errlen, "%s does not match the "
		    "certificate in %s", files->key, files->cert);
	}
	ok = SSL_CTX_use_PrivateKey(ctx, pkey);
	EVP_PKEY_free(pkey);
	if (!ok || !SSL_CTX_check_private_key(ctx))
		return tls_error(err, errlen, "%s: cannot use private key",
		    files->key);
	return 0;
}

/*
 * A complete server SSL_CTX for cfg, with one reference owned by the
 * caller; NULL with err filled.
 */
static SSL_CTX *
tls_build(const struct config *cfg, char *err, size_t errlen)
{
	struct tls_files	 files;
	SSL_CTX			*ctx;

	ERR_clear_error();
	if (cfg->tls_cert != NULL && cfg->tls_key != NULL) {
		if ((size_t)snprintf(files.cert, sizeof(files.cert), "%s",
		    cfg->tls_cert) >= sizeof(files.cert) ||
		    (size_t)snprintf(files.key, sizeof(files.key), "%s",
		    cfg->tls_key) >= sizeof(files.key)) {
			tls_error(err, errlen, "tls: path too long");
			return NULL;
		}
	} else if (cfg->tls_cert != NULL || cfg->tls_key != NULL) {
		tls_error(err, errlen, "tls: cert and key go together");
		return NULL;
	} else if (tls_self_files(cfg, &files, err, errlen) == -1)
		return NULL;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_error(err, errlen, "SSL_CTX_new failed");
		return NULL;
	}
	if (tls_ctx_policy(ctx, cfg, err, errlen) == -1 ||
	    tls_ctx_load(ctx, &files, err, errlen) == -1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

struct tls_ctx *
tls_ctx_new(const struct config *cfg, char *err, size_t errlen)
{
	struct tls_ctx	*t;
	SSL_CTX		*ctx;

	if ((ctx = tls_build(cfg, err, errlen)) == NULL)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->ctx = ctx;
	return t;
}

SSL_CTX *
tls_ctx_get(struct tls_ctx *t)
{
	return t->ctx;
}

int
tls_ctx_reload(struct tls_ctx *t, const struct config *cfg, char *err,
    size_t errlen)
{
	SSL_CTX	*ctx;

	if ((ctx = tls_build(cfg, err, errlen)) == NULL)
		return -1;
	/* open connections hold their own reference to the old one */
	SSL_CTX_free(t->ctx);
	t->ctx = ctx;
	return 0;
}

void
tls_ctx_free(struct tls_ctx *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

const char *
tls_describe(const SSL *ssl, char *buf, size_t len)
{
	const SSL_CIPHER	*c = ssl != NULL ?
				    SSL_get_current_cipher(ssl) : NULL;

	if (c == NULL)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s %s", SSL_get_version(ssl),
		    SSL_CIPHER_get_name(c));
	return buf;
}
