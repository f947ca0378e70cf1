/*
 * tls.h - the server TLS context shared by every TLS listener and by
 * STARTTLS: TLS 1.2 and 1.3 only, ECDHE with AES-GCM or ChaCha20 for 1.2
 * (or [tls] ciphers), server cipher preference, no compression, no
 * renegotiation.
 *
 * The certificate and key come from [tls] cert and key, or, when both are
 * absent, from a self-signed ECDSA P-256 certificate that tls_ctx_new()
 * creates on first start in DATA_DIR/tls/ (directory 0700, cert.pem 0644,
 * key.pem 0600; CN and SAN DNS:[smtp] hostname, SAN DNS:localhost,
 * IP:127.0.0.1, IP:::1; 825 days) and reuses afterwards, renewing it 30
 * days before it expires. DATA_DIR itself must exist.
 *
 * Everything here runs on the event loop thread.
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

struct config;
struct tls_ctx;

#define TLS_SELF_DIR	"tls"		/* under data_dir */
#define TLS_SELF_CERT	"cert.pem"
#define TLS_SELF_KEY	"key.pem"

/*
 * Build the context from cfg (certificate, key, ciphers, data_dir, smtp
 * hostname). Returns it, or NULL with err saying which file and why (a key
 * that does not match its certificate, an unreadable file...).
 */
struct tls_ctx	*tls_ctx_new(const struct config *cfg, char *err,
		    size_t errlen);

/*
 * The current SSL_CTX, for SSL_new() on each new connection. Borrowed: valid
 * until the next tls_ctx_reload() or tls_ctx_free(). Every SSL made from it
 * holds its own reference, so connections opened before a reload keep the
 * old certificate until they close.
 */
SSL_CTX		*tls_ctx_get(struct tls_ctx *t);

/*
 * Rebuild the context from the files named by cfg (SIGHUP). Returns 0 with
 * the new context in place, or -1 with err filled and the old context
 * still in use.
 */
int		 tls_ctx_reload(struct tls_ctx *t, const struct config *cfg,
		    char *err, size_t errlen);

void		 tls_ctx_free(struct tls_ctx *t);

/*
 * "TLSv1.3 TLS_AES_256_GCM_SHA384" for the connection ssl, written to buf
 * and returned; "none" before a handshake or when ssl is NULL.
 */
const char	*tls_describe(const SSL *ssl, char *buf, size_t len);

#endif
