// Package mask hides personal data: keep the first and last characters and replace
// the rest, replace everything, or show a keyed hash. It is a leaf package.
package mask

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Rule says how to mask one field.
type Rule struct {
	// KeepFirst and KeepLast characters stay visible; the ones between are replaced.
	KeepFirst int `json:"keepFirst,omitempty"`
	KeepLast  int `json:"keepLast,omitempty"`
	// Replace is the replacement character (default "*").
	Replace string `json:"replace,omitempty"`
	// Hash shows "h:" and 16 hex characters of a keyed hash instead, so equal values
	// can be matched without being revealed.
	Hash bool `json:"hash,omitempty"`
	// Redact replaces the whole value with the replacement character, once per
	// original character.
	Redact bool `json:"redact,omitempty"`
}

// Check reports what is wrong with a rule.
func (r Rule) Check() error {
	switch {
	case r.KeepFirst < 0 || r.KeepLast < 0:
		return fmt.Errorf("mask: keepFirst and keepLast must not be negative")
	case utf8.RuneCountInString(r.Replace) > 1:
		return fmt.Errorf("mask: replace must be one character")
	case r.Hash && r.Redact:
		return fmt.Errorf("mask: choose hash or redact, not both")
	}
	return nil
}

// Apply masks v. key keys the hash rule; it must be the deployment's secret.
// A value too short to keep anything hidden is replaced entirely.
func (r Rule) Apply(v string, key []byte) string {
	if v == "" {
		return ""
	}
	if r.Hash {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(v))
		return "h:" + hex.EncodeToString(m.Sum(nil))[:16]
	}
	repl := r.Replace
	if repl == "" {
		repl = "*"
	}
	runes := []rune(v)
	n := len(runes)
	if r.Redact || r.KeepFirst+r.KeepLast >= n {
		return strings.Repeat(repl, n)
	}
	var b strings.Builder
	b.WriteString(string(runes[:r.KeepFirst]))
	b.WriteString(strings.Repeat(repl, n-r.KeepFirst-r.KeepLast))
	b.WriteString(string(runes[n-r.KeepLast:]))
	return b.String()
}
