/*
 * extract.h - find indicators of compromise in free text: the description
 * of a web report, the body of a plain-text abuse mail, a forwarded notice.
 *
 * Recognised: IPv4 and IPv6 addresses (no zone index: "fe80::1%eth0" is
 * skipped), http/https/ftp URLs, bare domain names (only with a known
 * top-level domain, see extract_tld_known), e-mail addresses (any alphabetic
 * TLD), MD5, SHA-1 and SHA-256 digests (exactly 32, 40 or 64 hex digits not
 * inside a longer word) and CVE IDs, in English or Vietnamese text (UTF-8;
 * invalid bytes only separate). Four dotted numbers are taken for an IPv4
 * address even when they are a version number. Defanged forms are undone
 * first: hxxp/hxxps/fxp, "[.]", "(.)", "{.}", "[dot]", "(dot)", "[:]",
 * "[://]", "[@]", "(@)", "[at]", "(at)" (blanks around the dot and at
 * forms go too: "user [at] example [dot] com").
 *
 * Every candidate goes through indicator_normalise() and
 * report_add_indicator() (report.h), so it is validated and deduplicated the
 * same way as a REPORT field; invalid candidates are skipped silently.
 *
 * A URL or an e-mail address is added as such: the host of the URL and the
 * domain of the address are not added again as a separate domain (nor an IP
 * host as an ipv4/ipv6 indicator). The same name written on its own
 * elsewhere in the text is a domain indicator of its own.
 *
 * Known limits: a Message-ID quoted in the text ("<x@host.example>") reads
 * as an e-mail address; an IDN written in Unicode right after a word
 * without a space can be taken for a domain when its last part happens to
 * be a country code ("công.do").
 *
 * The extractor is built once (every PCRE2 pattern compiled, with JIT when
 * the library has it) and is read-only afterwards: any number of threads may
 * call extractor_run() on one extractor at the same time, each call
 * allocating its own match data. Work is linear in the text length: the
 * patterns use bounded, possessive repeats and a match limit caps what any
 * one pattern attempt may cost.
 */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <stddef.h>

#include "report.h"

struct extractor;

/*
 * Compile the patterns. Returns the extractor (free it with
 * extractor_free), or NULL with a reason in err (ENOMEM, or a PCRE2 error,
 * which would be a bug in this file).
 */
struct extractor *extractor_new(char *err, size_t errlen);
void extractor_free(struct extractor *ex);

/* 1 when the patterns run JIT-compiled, 0 when interpreted. */
int extractor_has_jit(const struct extractor *ex);

/*
 * Scan text[0..len) and add what it finds to r, stopping once this call
 * has added max_indicators new ones or r holds lim->indicators_max (lim NULL
 * means the defaults). Duplicates of indicators already in r are merged and
 * not counted. Returns the number of indicators added; -1 with errno ENOMEM
 * when memory ran out, or ERANGE when PCRE2 hit its match limit (not
 * expected with these patterns). On -1 the indicators added so far stay in r.
 */
int extractor_run(const struct extractor *ex, const char *text, size_t len,
    const struct report_limits *lim, struct report *r, size_t max_indicators);

/*
 * Undo defanging (see above) in in[0..len) into out, which must have room
 * for len + 1 bytes: the result is never longer than the input. Each byte
 * that is not part of well-formed UTF-8 becomes a space. Returns the new
 * length; out is NUL-terminated. Exposed for tests and for callers that
 * show the refanged text.
 */
size_t extract_refang(const char *in, size_t len, char *out);

/*
 * 1 when tld[0..len) (any case) is a top-level domain the bare-domain check
 * accepts: a delegated two-letter country code, one of a short list of
 * generic TLDs (com, net, org, info, top, xyz, ...), or an "xn--" label.
 * File extensions ("txt", "pdf", "zip", "exe") are not in the list. A bare
 * domain is further refused when its TLD is written in mixed case
 * ("tấn công.Do": a missing space, not a name), and when it has two labels
 * and either ends in md, py or sh ("install.sh") or starts with the
 * Vietnamese address abbreviation tp or tx ("TP.HN").
 */
int extract_tld_known(const char *tld, size_t len);

#endif
