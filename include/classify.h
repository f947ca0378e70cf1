/*
 * classify.h - guess the taxonomy category of a report from its words, with
 * keyword rules kept in a data file (conf/classify.tsv), and recognise the
 * "[TBSC]" subject of official incident notifications.
 *
 * Rules file: one rule a line, "category<TAB>weight<TAB>pattern"; '#'
 * starts a comment line, blank lines are skipped, CRLF is accepted.
 * category is a taxonomy code, weight an integer 1..100. pattern is either
 * a keyword or phrase, matched on whole words ("scan" does not match
 * "scanner"; a final '*' makes it a word prefix: "scan*"), or a PCRE2
 * regular expression written /.../.
 *
 * Matching ignores case and diacritics: the text and the keywords are both
 * normalised (classify_normalise: compatibility decomposition, marks
 * stripped, case folded, đ/Đ to d, every run of characters other than
 * letters and digits to one space), so "lua dao" matches "Lừa đảo" and
 * "lừa đảo" matches "LUA DAO", and punctuation inside a keyword acts as a
 * word break ("command-and-control" = "command and control"). A regular
 * expression runs on that normalised text too, so it is written in lower
 * case without diacritics, with spaces for punctuation.
 *
 * Scoring: each rule counts once for the subject (double weight) and once
 * for the body; a category's score is the sum over its rules; the highest
 * score wins, a tie going to the category whose first rule comes first in
 * the file. Only the first CLASSIFY_SUBJECT_MAX bytes of the subject and
 * CLASSIFY_BODY_MAX of the body are examined. Keywords are found in one
 * pass over the text (a byte trie walked at each word start); each regular
 * expression costs one more pass, so keep them few.
 *
 * A classifier is read-only once built and may be shared by threads; it
 * keeps a pointer to the taxonomy, which must outlive it.
 */
#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stddef.h>

#include "taxonomy.h"

#define CLASSIFY_SUBJECT_MAX	4096
#define CLASSIFY_BODY_MAX	(256 * 1024)
#define CLASSIFY_WEIGHT_MAX	100

struct classifier;

/*
 * Build a classifier from the rules in tsv[0..len), checking every
 * category against tax. Returns it, or NULL with "line N: why" in err (or
 * "out of memory", or a whole-file reason such as a taxonomy without the
 * "undetermined" category).
 */
struct classifier *classifier_new(const char *tsv, size_t len,
    const struct taxonomy *tax, char *err, size_t errlen);
void classifier_free(struct classifier *cl);

/* Number of rules loaded (for logs and tests). */
size_t classifier_rules(const struct classifier *cl);

/*
 * The best category for a subject and a body (either may be NULL when its
 * length is 0), with its score in *score when score is not NULL. Returns
 * the taxonomy's "undetermined" entry (score 0) when no rule matches, and
 * NULL only when memory ran out (errno ENOMEM).
 */
const struct taxonomy_entry *classifier_guess(const struct classifier *cl,
    const char *subject, size_t slen, const char *body, size_t blen,
    int *score);

/*
 * 1 when the subject starts with "[TBSC]" (any case, blanks allowed inside
 * the brackets), after any number of "Re:", "Fwd:", "Fw:" or "TR:" prefixes
 * and blanks: the prefix the regulation gives incident notifications.
 */
int classify_is_tbsc_subject(const char *subject, size_t len);

/*
 * The normalised form of in[0..len) described above, as a new
 * NUL-terminated string in *out (the caller frees it) of *outlen bytes,
 * without leading or trailing space. Invalid UTF-8 bytes count as
 * separators. Returns 0, or -1 when out of memory.
 */
int classify_normalise(const char *in, size_t len, char **out,
    size_t *outlen);

/* The copy of conf/classify.tsv compiled into the binaries. */
extern const char classify_embedded[];
extern const size_t classify_embedded_len;

#endif
