// Package stdcode checks the identifiers of Chinese government data standards: the
// resident ID number (GB 11643), the unified social credit code (GB 32100) and the
// mainland mobile number. It is a leaf package: it imports nothing from core.
package stdcode

import (
	"errors"
	"fmt"
	"time"
)

// Errors are wrapped with the reason; test with errors.Is.
var (
	ErrResidentID = errors.New("not a valid resident ID number")
	ErrCreditCode = errors.New("not a valid unified social credit code")
	ErrMobile     = errors.New("not a valid mainland mobile number")
)

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idChecks = "10X98765432"

// ResidentID checks an 18-character resident ID number: digits, a real birth date
// not in the future, and the ISO 7064 MOD 11-2 check character.
func ResidentID(s string) error {
	if len(s) != 18 {
		return fmt.Errorf("%w: it has %d characters, not 18", ErrResidentID, len([]rune(s)))
	}
	sum := 0
	for i := range 17 {
		c := s[i]
		if c < '0' || c > '9' {
			return fmt.Errorf("%w: character %d is not a digit", ErrResidentID, i+1)
		}
		sum += int(c-'0') * idWeights[i]
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1850 || birth.After(time.Now()) {
		return fmt.Errorf("%w: %s is not a possible birth date", ErrResidentID, s[6:14])
	}
	want := idChecks[sum%11]
	got := s[17]
	if got == 'x' {
		got = 'X'
	}
	if got != want {
		return fmt.Errorf("%w: check character is %c, expected %c", ErrResidentID, s[17], want)
	}
	return nil
}

const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCode checks an 18-character unified social credit code: its charset and
// its check character (GB 32100-2015).
func CreditCode(s string) error {
	if len(s) != 18 {
		return fmt.Errorf("%w: it has %d characters, not 18", ErrCreditCode, len([]rune(s)))
	}
	sum := 0
	for i := range 17 {
		v := indexByte(usccCharset, s[i])
		if v < 0 {
			return fmt.Errorf("%w: character %d (%c) is not allowed", ErrCreditCode, i+1, s[i])
		}
		sum += v * usccWeights[i]
	}
	want := usccCharset[(31-sum%31)%31]
	if s[17] != want {
		return fmt.Errorf("%w: check character is %c, expected %c", ErrCreditCode, s[17], want)
	}
	return nil
}

// Mobile checks a mainland mobile number: 11 digits starting with 1 and 3–9.
func Mobile(s string) error {
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return fmt.Errorf("%w: expected 11 digits starting 13–19", ErrMobile)
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%w: character %d is not a digit", ErrMobile, i+1)
		}
	}
	return nil
}

func indexByte(s string, c byte) int {
	for i := range len(s) {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// ErrEmail and ErrOrganizationCode are wrapped with the reason; test with errors.Is.
var (
	ErrEmail            = errors.New("not a valid e-mail address")
	ErrOrganizationCode = errors.New("not a valid organisation code")
)

// Email checks the plain form of an e-mail address (local@domain, no display name):
// at most 254 characters, a local part of at most 64 printable ASCII characters
// without spaces, and a domain of at least two dot-separated labels of letters,
// digits and hyphens.
func Email(s string) error {
	if len(s) > 254 {
		return fmt.Errorf("%w: it has %d characters, more than 254", ErrEmail, len(s))
	}
	at := -1
	for i := range len(s) {
		if s[i] == '@' {
			if at >= 0 {
				return fmt.Errorf("%w: it has more than one @", ErrEmail)
			}
			at = i
		}
	}
	if at < 0 {
		return fmt.Errorf("%w: it has no @", ErrEmail)
	}
	local, domain := s[:at], s[at+1:]
	if local == "" || len(local) > 64 {
		return fmt.Errorf("%w: the part before @ must have 1 to 64 characters", ErrEmail)
	}
	for i := range len(local) {
		if c := local[i]; c <= ' ' || c > '~' || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' || c == ';' || c == '<' || c == '>' || c == '[' || c == '\\' || c == ']' {
			return fmt.Errorf("%w: character %d (%q) is not allowed before @", ErrEmail, i+1, rune(c))
		}
	}
	if local[0] == '.' || local[len(local)-1] == '.' {
		return fmt.Errorf("%w: the part before @ may not start or end with a dot", ErrEmail)
	}
	labels := 0
	start := 0
	for i := 0; i <= len(domain); i++ {
		if i < len(domain) && domain[i] != '.' {
			c := domain[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%w: character %q of the domain is not a letter, digit or hyphen", ErrEmail, rune(c))
			}
			continue
		}
		label := domain[start:i]
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%w: domain %q has an empty, too long or hyphen-edged label", ErrEmail, domain)
		}
		labels++
		start = i + 1
	}
	if labels < 2 {
		return fmt.Errorf("%w: domain %q needs at least two labels (example.cn)", ErrEmail, domain)
	}
	return nil
}

var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// OrganizationCode checks a 9-character organisation code (GB 11714): 8 digits or
// capital letters and a check character (0–9 or X), with or without the hyphen
// before it. Characters 9–17 of a unified social credit code are one.
func OrganizationCode(s string) error {
	if len(s) == 10 && s[8] == '-' {
		s = s[:8] + s[9:]
	}
	if len(s) != 9 {
		return fmt.Errorf("%w: it has %d characters, not 9", ErrOrganizationCode, len([]rune(s)))
	}
	sum := 0
	for i := range 8 {
		var v int
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return fmt.Errorf("%w: character %d (%c) is not a digit or capital letter", ErrOrganizationCode, i+1, s[i])
		}
		sum += v * orgWeights[i]
	}
	var want byte
	switch c := 11 - sum%11; c {
	case 10:
		want = 'X'
	case 11:
		want = '0'
	default:
		want = byte('0' + c)
	}
	if s[8] != want {
		return fmt.Errorf("%w: check character is %c, expected %c", ErrOrganizationCode, s[8], want)
	}
	return nil
}
