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
