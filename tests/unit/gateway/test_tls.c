/*
 * test_tls.c - the server TLS context: the self-signed certificate made in
 * a temporary data directory (file modes, contents, reuse, renewal after a
 * lost file), reloads (old connections keep working, a failed reload keeps
 * the old context), explicit and mismatched cert/key pairs, and in-process
 * handshakes over a socketpair: TLS 1.3 and 1.2 negotiate, TLS 1.1 and CBC
 * suites are refused, a client that trusts cert.pem verifies "localhost";
 * links planted in DATA_DIR/tls are refused or replaced, never followed.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "tls.h"
#include "t.h"

static char	dir_a[64], dir_b[64];

static void
make_cfg(struct config *cfg, const char *data_dir)
{
	config_defaults(cfg);
	free(cfg->data_dir);
	cfg->data_dir = strdup(data_dir);
}

static void
path_in(char *buf, size_t len, const char *dir, const char *file)
{
	snprintf(buf, len, "%s/tls/%s", dir, file);
}

static mode_t
mode_of(const char *path)
{
	struct stat	st;

	if (stat(path, &st) == -1)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

/* SHA-256 fingerprint of the certificate ctx serves, as hex. */
static void
fingerprint(SSL_CTX *ctx, char out[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n = 0, i;
	X509		*x = SSL_CTX_get0_certificate(ctx);

	out[0] = '\0';
	if (x == NULL || !X509_digest(x, EVP_sha256(), md, &n))
		return;
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- handshakes over a socketpair ---- */

struct hs_result {
	int	client_ok, server_ok;
	int	verify;			/* client's SSL_get_verify_result */
	char	desc[128];		/* server side, tls_describe() */
};

static int
hs_step(SSL *ssl, int server, int *done)
{
	int	r, e;

	if (*done)
		return 0;
	r = server ? SSL_accept(ssl) : SSL_connect(ssl);
	if (r == 1) {
		*done = 1;
		return 0;
	}
	e = SSL_get_error(ssl, r);
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

/*
 * Run one handshake between a server SSL made from sctx (or the given
 * server SSL) and a client made from cctx, both non-blocking in one
 * thread. host, if set, is checked against the certificate.
 */
static void
handshake(SSL_CTX *sctx, SSL *srv, SSL_CTX *cctx, const char *host,
    struct hs_result *res)
{
	SSL	*s = srv != NULL ? srv : SSL_new(sctx), *c = SSL_new(cctx);
	int	 sv[2], i, fail = 0;

	memset(res, 0, sizeof(*res));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		perror("socketpair");
		exit(2);
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	SSL_set_fd(s, sv[0]);
	SSL_set_fd(c, sv[1]);
	if (host != NULL)
		SSL_set1_host(c, host);
	for (i = 0; i < 200 && !fail &&
	    !(res->client_ok && res->server_ok); i++) {
		fail = hs_step(c, 0, &res->client_ok) == -1;
		fail |= hs_step(s, 1, &res->server_ok) == -1;
	}
	res->verify = (int)SSL_get_verify_result(c);
	tls_describe(s, res->desc, sizeof(res->desc));
	ERR_clear_error();
	SSL_free(s);
	SSL_free(c);
	close(sv[0]);
	close(sv[1]);
}

/* A client limited to protocol versions [min, max]. */
static SSL_CTX *
client_ctx(int min, int max, const char *ciphers)
{
	SSL_CTX	*c = SSL_CTX_new(TLS_client_method());

	/* let the client offer old protocols: the server must refuse them */
	SSL_CTX_set_security_level(c, 0);
	SSL_CTX_set_cipher_list(c, ciphers != NULL ? ciphers :
	    "ALL:@SECLEVEL=0");
	SSL_CTX_set_min_proto_version(c, min);
	SSL_CTX_set_max_proto_version(c, max);
	return c;
}

/* ---- tests ---- */

static void
test_self_signed(struct tls_ctx **out, char fp[65])
{
	struct config	 cfg;
	struct tls_ctx	*t;
	char		 err[512], path[256], dir[256], fp2[65];
	X509		*x;
	const ASN1_TIME	*nb, *na;
	int		 days = 0, secs = 0;

	make_cfg(&cfg, dir_a);
	t = tls_ctx_new(&cfg, err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL) {
		printf("  %s\n", err);
		exit(1);
	}
	snprintf(dir, sizeof(dir), "%s/tls", dir_a);
	CHECK(mode_of(dir) == 0700);
	path_in(path, sizeof(path), dir_a, "key.pem");
	CHECK(mode_of(path) == 0600);
	path_in(path, sizeof(path), dir_a, "cert.pem");
	CHECK(mode_of(path) == 0644);

	x = SSL_CTX_get0_certificate(tls_ctx_get(t));
	CHECK(x != NULL);
	CHECK(X509_check_host(x, "localhost", 0, 0, NULL) == 1);
	CHECK(X509_check_host(x, cfg.smtp_hostname, 0, 0, NULL) == 1);
	CHECK(X509_check_ip_asc(x, "127.0.0.1", 0) == 1);
	CHECK(X509_check_ip_asc(x, "::1", 0) == 1);
	CHECK(X509_check_host(x, "example.invalid", 0, 0, NULL) == 0);
	CHECK(X509_get_signature_nid(x) == NID_ecdsa_with_SHA256);
	CHECK(EVP_PKEY_is_a(X509_get0_pubkey(x), "EC"));
	CHECK(EVP_PKEY_get_bits(X509_get0_pubkey(x)) == 256);
	nb = X509_get0_notBefore(x);
	na = X509_get0_notAfter(x);
	CHECK(ASN1_TIME_diff(&days, &secs, nb, na) == 1);
	/* 825 days from now, notBefore 5 minutes back */
	CHECK(days == 825 && secs == 300);
	fingerprint(tls_ctx_get(t), fp);
	CHECK(strlen(fp) == 64);

	/* a second start reuses the same certificate */
	{
		struct tls_ctx	*t2 = tls_ctx_new(&cfg, err, sizeof(err));

		CHECK(t2 != NULL);
		if (t2 != NULL) {
			fingerprint(tls_ctx_get(t2), fp2);
			CHECK_STR(fp2, fp);
			tls_ctx_free(t2);
		}
	}
	config_free(&cfg);
	*out = t;
}

static void
test_protocols(struct tls_ctx *t)
{
	SSL_CTX			*sctx = tls_ctx_get(t), *c;
	struct hs_result	 r;
	long			 opts = SSL_CTX_get_options(sctx);

	CHECK(SSL_CTX_get_min_proto_version(sctx) == TLS1_2_VERSION);
	CHECK(opts & SSL_OP_NO_COMPRESSION);
	CHECK(opts & SSL_OP_CIPHER_SERVER_PREFERENCE);
	CHECK(opts & SSL_OP_NO_RENEGOTIATION);

	c = client_ctx(TLS1_3_VERSION, TLS1_3_VERSION, NULL);
	handshake(sctx, NULL, c, NULL, &r);
	CHECK(r.client_ok && r.server_ok);
	CHECK(strncmp(r.desc, "TLSv1.3 TLS_", 12) == 0);
	SSL_CTX_free(c);

	c = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
	handshake(sctx, NULL, c, NULL, &r);
	CHECK(r.client_ok && r.server_ok);
	CHECK(strncmp(r.desc, "TLSv1.2 ECDHE-ECDSA-", 20) == 0);
	CHECK(strstr(r.desc, "GCM") != NULL || strstr(r.desc, "CHACHA20"));
	SSL_CTX_free(c);

	/* a TLS 1.2 client offering only CBC suites finds nothing */
	c = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION,
	    "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0");
	handshake(sctx, NULL, c, NULL, &r);
	CHECK(!r.client_ok && !r.server_ok);
	SSL_CTX_free(c);
}

/* TLS 1.1 is refused; the control shows this client can speak it. */
static void
test_tls11_refused(struct tls_ctx *t)
{
	SSL_CTX			*c, *lax;
	struct hs_result	 r;

	c = client_ctx(TLS1_1_VERSION, TLS1_1_VERSION, NULL);
	handshake(tls_ctx_get(t), NULL, c, NULL, &r);
	CHECK(!r.client_ok && !r.server_ok);
	CHECK_STR(r.desc, "none");

	lax = SSL_CTX_new(TLS_server_method());
	SSL_CTX_set_security_level(lax, 0);
	SSL_CTX_set_cipher_list(lax, "ALL:@SECLEVEL=0");
	SSL_CTX_set_min_proto_version(lax, TLS1_1_VERSION);
	SSL_CTX_use_certificate(lax,
	    SSL_CTX_get0_certificate(tls_ctx_get(t)));
	SSL_CTX_use_PrivateKey(lax, SSL_CTX_get0_privatekey(tls_ctx_get(t)));
	handshake(lax, NULL, c, NULL, &r);
	CHECK(r.client_ok && r.server_ok);
	CHECK(strncmp(r.desc, "TLSv1.1 ", 8) == 0);
	SSL_CTX_free(lax);
	SSL_CTX_free(c);
}

/* A client trusting cert.pem verifies the server as "localhost". */
static void
test_verify(struct tls_ctx *t)
{
	SSL_CTX			*c = SSL_CTX_new(TLS_client_method());
	struct hs_result	 r;
	char			 path[256];

	path_in(path, sizeof(path), dir_a, "cert.pem");
	CHECK(SSL_CTX_load_verify_locations(c, path, NULL) == 1);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	handshake(tls_ctx_get(t), NULL, c, "localhost", &r);
	CHECK(r.client_ok && r.server_ok);
	CHECK(r.verify == X509_V_OK);
	handshake(tls_ctx_get(t), NULL, c, "other.example", &r);
	CHECK(!r.client_ok);
	SSL_CTX_free(c);
}

static void
test_reload(struct tls_ctx *t, const char *fp)
{
	struct config		 cfg;
	struct hs_result	 r;
	SSL_CTX			*old = tls_ctx_get(t), *c;
	SSL			*pending = SSL_new(old);
	char			 err[512], fp2[65];

	make_cfg(&cfg, dir_a);
	CHECK(tls_ctx_reload(t, &cfg, err, sizeof(err)) == 0);
	CHECK(tls_ctx_get(t) != old);
	fingerprint(tls_ctx_get(t), fp2);
	CHECK_STR(fp2, fp);

	/* an SSL made before the reload still works on the old context */
	c = client_ctx(TLS1_2_VERSION, TLS1_3_VERSION, NULL);
	handshake(NULL, pending, c, NULL, &r);
	CHECK(r.client_ok && r.server_ok);
	handshake(tls_ctx_get(t), NULL, c, NULL, &r);
	CHECK(r.client_ok && r.server_ok);
	SSL_CTX_free(c);

	/* a failed reload keeps the context in use */
	old = tls_ctx_get(t);
	free(cfg.tls_cert);
	free(cfg.tls_key);
	cfg.tls_cert = strdup("/nonexistent/cert.pem");
	cfg.tls_key = strdup("/nonexistent/key.pem");
	err[0] = '\0';
	CHECK(tls_ctx_reload(t, &cfg, err, sizeof(err)) == -1);
	CHECK_STR(err, "/nonexistent/cert.pem: cannot load certificate: "
	    "No such file or directory");
	CHECK(tls_ctx_get(t) == old);
	config_free(&cfg);
}

static void
test_explicit_files(const char *fp)
{
	struct config	 cfg, cfg_b;
	struct tls_ctx	*t;
	char		 err[512], fp2[65], cert_a[256], key_a[256], key_b[256];
	char		 want[1024];

	path_in(cert_a, sizeof(cert_a), dir_a, "cert.pem");
	path_in(key_a, sizeof(key_a), dir_a, "key.pem");
	path_in(key_b, sizeof(key_b), dir_b, "key.pem");

	make_cfg(&cfg, "/nonexistent");		/* no self-signed made */
	cfg.tls_cert = strdup(cert_a);
	cfg.tls_key = strdup(key_a);
	t = tls_ctx_new(&cfg, err, sizeof(err));
	CHECK(t != NULL);
	if (t != NULL) {
		fingerprint(tls_ctx_get(t), fp2);
		CHECK_STR(fp2, fp);
		tls_ctx_free(t);
	}

	/* data dir B gets its own pair; A's cert with B's key fails */
	make_cfg(&cfg_b, dir_b);
	t = tls_ctx_new(&cfg_b, err, sizeof(err));
	CHECK(t != NULL);
	tls_ctx_free(t);
	free(cfg.tls_key);
	cfg.tls_key = strdup(key_b);
	err[0] = '\0';
	CHECK(tls_ctx_new(&cfg, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s does not match the certificate in %s",
	    key_b, cert_a);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	if (strncmp(err, want, strlen(want)) != 0)
		printf("  got: %s\n", err);

	/* files that are not PEM say so */
	free(cfg.tls_cert);
	cfg.tls_cert = strdup(key_b);		/* a key, not a certificate */
	CHECK(tls_ctx_new(&cfg, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s: cannot load certificate: "
	    "no start line", key_b);
	CHECK_STR(err, want);
	free(cfg.tls_cert);
	free(cfg.tls_key);
	cfg.tls_cert = strdup(cert_a);
	cfg.tls_key = strdup(cert_a);		/* a certificate, not a key */
	CHECK(tls_ctx_new(&cfg, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s: cannot load private key: "
	    "no unencrypted PEM key found", cert_a);
	CHECK_STR(err, want);
	config_free(&cfg_b);
	config_free(&cfg);
}

/* A lost certificate gives a new pair; a key open to others is refused. */
static void
test_self_repair(const char *fp)
{
	struct config	 cfg;
	struct tls_ctx	*t;
	char		 err[512], fp2[65], path[256];

	make_cfg(&cfg, dir_b);
	path_in(path, sizeof(path), dir_b, "cert.pem");
	CHECK(unlink(path) == 0);
	t = tls_ctx_new(&cfg, err, sizeof(err));
	CHECK(t != NULL);
	CHECK(mode_of(path) == 0644);
	if (t != NULL) {
		fingerprint(tls_ctx_get(t), fp2);
		CHECK(strcmp(fp2, fp) != 0 && strlen(fp2) == 64);
		tls_ctx_free(t);
	}

	path_in(path, sizeof(path), dir_b, "key.pem");
	chmod(path, 0640);
	err[0] = '\0';
	CHECK(tls_ctx_new(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "key.pem: permissions 0640 are too open") != NULL);
	chmod(path, 0600);

	/* no data directory: a clear error, nothing created */
	free(cfg.data_dir);
	cfg.data_dir = strdup("/nonexistent/intaked");
	CHECK(tls_ctx_new(&cfg, err, sizeof(err)) == NULL);
	CHECK_STR(err, "/nonexistent/intaked/tls: cannot create directory: "
	    "No such file or directory");
	config_free(&cfg);
}

static void
cleanup(const char *dir)
{
	char	path[256];

	path_in(path, sizeof(path), dir, "cert.pem");
	unlink(path);
	path_in(path, sizeof(path), dir, "key.pem");
	unlink(path);
	snprintf(path, sizeof(path), "%s/tls", dir);
	rmdir(path);
	rmdir(dir);
}

/*
 * Links planted in DATA_DIR/tls are never followed: a symlinked tls/ is
 * refused and nothing is written into its target; a symlinked key.pem is
 * replaced by a new file, its target untouched. As root with a user to
 * become, the new files belong to that user.
 */
static void
test_self_links(void)
{
	struct config	 cfg;
	struct tls_ctx	*t;
	struct stat	 st;
	struct passwd	*pw;
	char		 d[64], target[64], path[256], err[512], buf[16];
	FILE		*fp;
	size_t		 n;

	snprintf(d, sizeof(d), "/tmp/test_tls.XXXXXX");
	snprintf(target, sizeof(target), "/tmp/test_tls.XXXXXX");
	if (mkdtemp(d) == NULL || mkdtemp(target) == NULL) {
		CHECK(0);
		return;
	}
	make_cfg(&cfg, d);
	snprintf(path, sizeof(path), "%s/tls", d);
	CHECK(symlink(target, path) == 0);
	err[0] = '\0';
	CHECK(tls_ctx_new(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/tls: a symbolic link: refused") != NULL);
	snprintf(path, sizeof(path), "%s/key.pem", target);
	CHECK(lstat(path, &st) == -1);
	snprintf(path, sizeof(path), "%s/key.pem.new", target);
	CHECK(lstat(path, &st) == -1);
	snprintf(path, sizeof(path), "%s/tls", d);
	unlink(path);

	/* tls/key.pem a link to another file, no cert.pem: a new pair */
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/victim", target);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("victim\n", fp);
		fclose(fp);
	}
	chmod(path, 0600);
	{
		char	link[256];

		path_in(link, sizeof(link), d, "key.pem");
		CHECK(symlink(path, link) == 0);
		t = tls_ctx_new(&cfg, err, sizeof(err));
		CHECK(t != NULL);
		tls_ctx_free(t);
		CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0777) == 0600);
	}
	n = 0;
	if ((fp = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
	}
	CHECK(n == 7 && memcmp(buf, "victim\n", 7) == 0);
	unlink(path);
	cleanup(d);
	rmdir(target);
	config_free(&cfg);

	/* as root with [daemon] user: the new files are that user's */
	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL) {
		T_SKIP("self-signed files for [daemon] user: needs root and "
		    "user nobody");
		return;
	}
	snprintf(d, sizeof(d), "/tmp/test_tls.XXXXXX");
	if (mkdtemp(d) == NULL) {
		CHECK(0);
		return;
	}
	make_cfg(&cfg, d);
	cfg.user = strdup("nobody");
	t = tls_ctx_new(&cfg, err, sizeof(err));
	CHECK(t != NULL);
	tls_ctx_free(t);
	snprintf(path, sizeof(path), "%s/tls", d);
	CHECK(stat(path, &st) == 0 && st.st_uid == pw->pw_uid);
	path_in(path, sizeof(path), d, "key.pem");
	CHECK(stat(path, &st) == 0 && st.st_uid == pw->pw_uid &&
	    st.st_gid == pw->pw_gid && (st.st_mode & 0777) == 0600);
	path_in(path, sizeof(path), d, "cert.pem");
	CHECK(stat(path, &st) == 0 && st.st_uid == pw->pw_uid);
	cleanup(d);
	config_free(&cfg);
}

int
main(void)
{
	struct tls_ctx	*t = NULL;
	char		 fp[65], desc[16];

	snprintf(dir_a, sizeof(dir_a), "/tmp/test_tls.XXXXXX");
	snprintf(dir_b, sizeof(dir_b), "/tmp/test_tls.XXXXXX");
	if (mkdtemp(dir_a) == NULL || mkdtemp(dir_b) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	CHECK_STR(tls_describe(NULL, desc, sizeof(desc)), "none");
	test_self_signed(&t, fp);
	test_protocols(t);
	test_tls11_refused(t);
	test_verify(t);
	test_reload(t, fp);
	test_explicit_files(fp);
	test_self_repair(fp);
	test_self_links();
	tls_ctx_free(t);
	cleanup(dir_a);
	cleanup(dir_b);
	return t_done();
}
