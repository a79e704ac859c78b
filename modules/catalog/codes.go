package catalog

import (
	"fmt"
	"regexp"

	"github.com/gdbos/gdbos/core/stdcode"
)

// BasicCodeLength and ImplementationCodeLength are the lengths of 基本编码 and
// 实施编码 seen in production data (domain/STANDARDS.md); the inner layout of the
// basic code is unverified, so only its alphabet and length are checked.
const (
	BasicCodeLength          = 12
	ImplementationCodeLength = 18 + 1 + BasicCodeLength
)

var basicCodeRE = regexp.MustCompile(`^[0-9A-Z]{12}$`)

// CheckBasicCode reports what is wrong with a 基本编码.
func CheckBasicCode(code string) error {
	if !basicCodeRE.MatchString(code) {
		return fmt.Errorf("基本编码 must be %d digits or capital letters", BasicCodeLength)
	}
	return nil
}

// ImplementationCode builds a 实施编码: the implementing body's unified social credit
// code, the tier digit and the 基本编码. It checks each part.
func ImplementationCode(creditCode string, tier byte, basicCode string) (string, error) {
	if err := stdcode.CreditCode(creditCode); err != nil {
		return "", fmt.Errorf("implementing body: %w", err)
	}
	if tier < '1' || tier > '9' {
		return "", fmt.Errorf("tier digit %q must be 1-9", tier)
	}
	if err := CheckBasicCode(basicCode); err != nil {
		return "", err
	}
	return creditCode + string(tier) + basicCode, nil
}

// SplitImplementationCode checks a 实施编码 and returns its parts.
func SplitImplementationCode(code string) (creditCode string, tier byte, basicCode string, err error) {
	if len(code) != ImplementationCodeLength {
		return "", 0, "", fmt.Errorf("实施编码 must be %d characters, got %d", ImplementationCodeLength, len(code))
	}
	creditCode, tier, basicCode = code[:18], code[18], code[19:]
	if _, err := ImplementationCode(creditCode, tier, basicCode); err != nil {
		return "", 0, "", err
	}
	return creditCode, tier, basicCode, nil
}
