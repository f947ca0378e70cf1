/*
 * test_taxonomy.c - the taxonomy parser: the embedded copy of
 * conf/taxonomy.tsv, lookups, severity names, and every error of a
 * malformed table.
 */
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "taxonomy.h"

struct lookup_case {
	const char	*code;
	int		 mau05;		/* -1: must not be found */
	enum severity	 severity;
	const char	*rsit_type;
};

static const struct lookup_case lookups[] = {
	{ "phishing", 2, SEV_MEDIUM, "phishing" },
	{ "ransomware", 6, SEV_CRITICAL, "unauthorised-information-modification" },
	{ "dos", 1, SEV_HIGH, "ddos" },
	{ "DoS", 1, SEV_HIGH, "ddos" },
	{ "PHISHING", 2, SEV_MEDIUM, "phishing" },
	{ "data-leak", 8, SEV_HIGH, "data-leak" },
	{ "vulnerable", 0, SEV_MEDIUM, "vulnerable-system" },
	{ "spam", 10, SEV_LOW, "spam" },
	{ "test", 0, SEV_LOW, "test" },
	{ "phish", -1, SEV_UNSET, NULL },
	{ "phishingx", -1, SEV_UNSET, NULL },
	{ "", -1, SEV_UNSET, NULL },
	{ "code", -1, SEV_UNSET, NULL },
};

struct bad_case {
	const char	*tsv;
	const char	*err;	/* expected error text */
};

#define ROW(code, mau, sev) code "\tattack\t" mau "\tNhãn\tLabel\tx\ty\t" sev "\n"

static const struct bad_case bad[] = {
	{ "code\tcause\n" ROW("a", "1", "low") "b\tattack\t1\n",
	    "line 3: wrong number of columns (want 8, tab-separated)" },
	{ ROW("a", "1", "low") "b\tc\t1\td\te\tf\tg\tlow\textra\n",
	    "line 2: wrong number of columns (want 8, tab-separated)" },
	{ "# c\n" ROW("a", "1", "urgent"),
	    "line 2: bad severity (want low, medium, high or critical)" },
	{ ROW("a", "1", "") ,
	    "line 1: bad severity (want low, medium, high or critical)" },
	{ ROW("a", "1", "low") ROW("b", "2", "high") ROW("A", "3", "low"),
	    "line 3: duplicate code" },
	{ ROW("a", "x", "low"), "line 1: bad mau05 (want empty or 1-99)" },
	{ ROW("a", "0", "low"), "line 1: bad mau05 (want empty or 1-99)" },
	{ ROW("a", "100", "low"), "line 1: bad mau05 (want empty or 1-99)" },
	{ ROW("a", "-1", "low"), "line 1: bad mau05 (want empty or 1-99)" },
	{ ROW("", "1", "low"), "line 1: empty code" },
	{ ROW("a b", "1", "low"),
	    "line 1: code must be letters, digits, '-' or '_'" },
	{ ROW("a0123456789012345678901234567890", "1", "low"),
	    "line 1: code too long" },
	{ "a\t\t1\tv\te\tx\ty\tlow\n", "line 1: empty cause" },
	{ "a\tattack\t1\t\xC3\x28\te\tx\ty\tlow\n", "line 1: invalid UTF-8" },
	{ "a\tattack\t1\tv\te\x01\tx\ty\tlow\n", "line 1: control character" },
	{ "# only comments\n\n", "line 2: no category defined" },
	{ "", "line 0: no category defined" },
};

static void
test_embedded(void)
{
	struct taxonomy			 tax;
	const struct taxonomy_entry	*e;
	char				 err[128] = "";
	size_t				 i;

	CHECK(taxonomy_embedded_len > 0);
	CHECK(taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(tax.n == 33);
	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		const struct lookup_case *c = &lookups[i];

		e = taxonomy_find(&tax, c->code, strlen(c->code));
		if (c->mau05 < 0) {
			CHECK(e == NULL);
			continue;
		}
		CHECK(e != NULL);
		if (e == NULL)
			continue;
		CHECK(e->mau05 == c->mau05);
		CHECK(e->severity == c->severity);
		CHECK_STR(e->rsit_type, c->rsit_type);
	}
	e = taxonomy_find(&tax, "phishing", 8);
	if (e != NULL) {
		CHECK_STR(e->code, "phishing");
		CHECK_STR(e->cause, "attack");
		CHECK_STR(e->label_vi, "Tấn công giả mạo");
		CHECK_STR(e->label_en, "Spoofing and phishing");
		CHECK_STR(e->rsit_taxonomy, "fraud");
	}
	/* a length shorter than the string: only the prefix counts */
	CHECK(taxonomy_find(&tax, "dosXYZ", 3) != NULL);
	CHECK(taxonomy_find(&tax, "dos\0x", 5) == NULL);
	CHECK(taxonomy_find(NULL, "dos", 3) == NULL);
	CHECK_STR(tax.entries[0].code, "dos");
	CHECK_STR(tax.entries[tax.n - 1].code, "test");
	taxonomy_free(&tax);
	CHECK(tax.n == 0 && tax.entries == NULL);
	taxonomy_free(&tax);	/* twice is harmless */
}

static void
test_bad(void)
{
	struct taxonomy	tax;
	char		err[128];
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(taxonomy_parse(&tax, bad[i].tsv, strlen(bad[i].tsv), err,
		    sizeof(err)) == -1);
		CHECK_STR(err, bad[i].err);
		CHECK(tax.n == 0 && tax.entries == NULL);
	}
}

static void
test_formats(void)
{
	static const char crlf[] = "code\tcause\tmau05\tlabel_vi\tlabel_en\t"
	    "rsit_taxonomy\trsit_type\tseverity\r\n"
	    "one\tattack\t\tMột\tOne\tx\ty\thigh\r\n"
	    "two_b\tabuse\t7\tHai\tTwo\tx\ty\tCRITICAL";	/* no final LF */
	struct taxonomy			 tax;
	const struct taxonomy_entry	*e;
	char				 err[64] = "";

	CHECK(taxonomy_parse(&tax, crlf, sizeof(crlf) - 1, err,
	    sizeof(err)) == 0);
	CHECK(tax.n == 2);
	e = taxonomy_find(&tax, "ONE", 3);
	CHECK(e != NULL && e->mau05 == 0 && e->severity == SEV_HIGH);
	e = taxonomy_find(&tax, "two_b", 5);
	CHECK(e != NULL && e->mau05 == 7 && e->severity == SEV_CRITICAL);
	if (e != NULL)
		CHECK_STR(e->rsit_type, "y");
	taxonomy_free(&tax);
	/* a short error buffer is truncated, never overrun */
	CHECK(taxonomy_parse(&tax, "x\n", 2, err, 8) == -1);
	CHECK_STR(err, "line 1:");
}

static void
test_severity(void)
{
	static const struct {
		const char	*s;
		enum severity	 sev;
	} sevs[] = {
		{ "low", SEV_LOW }, { "medium", SEV_MEDIUM },
		{ "high", SEV_HIGH }, { "critical", SEV_CRITICAL },
		{ "Critical", SEV_CRITICAL }, { "HIGH", SEV_HIGH },
		{ "", SEV_UNSET }, { "lo", SEV_UNSET }, { "lowe", SEV_UNSET },
		{ "unset", SEV_UNSET }, { "severe", SEV_UNSET },
	};
	size_t	i;

	for (i = 0; i < sizeof(sevs) / sizeof(sevs[0]); i++)
		CHECK(severity_parse(sevs[i].s, strlen(sevs[i].s)) ==
		    sevs[i].sev);
	CHECK(severity_parse(NULL, 0) == SEV_UNSET);
	CHECK(severity_parse("lowest", 3) == SEV_LOW);
	CHECK_STR(severity_name(SEV_LOW), "low");
	CHECK_STR(severity_name(SEV_MEDIUM), "medium");
	CHECK_STR(severity_name(SEV_HIGH), "high");
	CHECK_STR(severity_name(SEV_CRITICAL), "critical");
	CHECK_STR(severity_name(SEV_UNSET), "unset");
	CHECK_STR(severity_name((enum severity)42), "unset");
}

int
main(void)
{
	test_embedded();
	test_bad();
	test_formats();
	test_severity();
	return t_done();
}
