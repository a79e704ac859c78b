package catalog

import (
	"slices"
	"strings"
	"unicode"
)

// Terms splits text into the search terms the module indexes: overlapping character
// bigrams of every run of Han (or other non-Latin letters), and whole lower-cased
// words and numbers of Latin letters and digits. 企业设立登记 → 企业 业设 设立 立登 登记.
// A run of one Han character yields that character. Chinese has no spaces between
// words and any two adjacent characters may start a word, so bigrams find every
// query of two characters or more without a dictionary (docs/adr/0031).
func Terms(text string) []string {
	var out []string
	var han []rune
	var word []rune
	flushHan := func() {
		switch {
		case len(han) == 1:
			out = append(out, string(han))
		case len(han) > 1:
			for i := 0; i+1 < len(han); i++ {
				out = append(out, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	flushWord := func() {
		if len(word) > 0 {
			out = append(out, string(word))
			word = word[:0]
		}
	}
	for _, r := range text {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			flushHan()
			word = append(word, unicode.ToLower(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushWord()
			han = append(han, unicode.ToLower(r))
		default:
			flushHan()
			flushWord()
		}
	}
	flushHan()
	flushWord()
	return out
}

// termSet returns the distinct terms of text, sorted.
func termSet(text string) []string {
	t := Terms(text)
	slices.Sort(t)
	return slices.Compact(t)
}

// ftsQuery turns a user's query into an FTS5 expression: every term quoted (no
// operator of the user's reaches FTS5), a run's bigrams as one phrase so that they
// must be adjacent. It returns "" when the query has no term.
func ftsQuery(q string) string {
	var parts []string
	for _, field := range strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		ts := Terms(field)
		if len(ts) == 0 {
			continue
		}
		for i := range ts {
			ts[i] = strings.ReplaceAll(ts[i], `"`, "")
		}
		parts = append(parts, `"`+strings.Join(ts, " ")+`"`)
	}
	return strings.Join(parts, " AND ")
}
