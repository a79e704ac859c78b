// Package division validates GB/T 2260 administrative division codes and tells their
// level and implied parent. It is a leaf package: it imports nothing from core.
//
// A 6-digit code has a 2-digit province part, a 2-digit prefecture part and a 2-digit
// county part: XX0000 is a province, XXYY00 a prefecture-level unit (city), anything
// else a county-level unit. A 9-digit code adds a township part (001–399) to a county
// or city code. One configurable code stands for the nation itself.
package division

import (
	"errors"
	"fmt"
)

// Level is the tier of an administrative division.
type Level string

// The levels, from the top.
const (
	Nation   Level = "nation"
	Province Level = "province"
	City     Level = "city"
	County   Level = "county"
	Township Level = "township"
)

// DefaultNationalRoot is the code that stands for the nation in DefaultRules.
const DefaultNationalRoot = "100000"

// ErrInvalidCode is wrapped by every error about a malformed code.
var ErrInvalidCode = errors.New("division: invalid code")

// ErrInvalidLevel is wrapped by every error about an unknown level or a parent-child
// pair of levels that cannot nest.
var ErrInvalidLevel = errors.New("division: invalid level")

// Rules parses codes. The zero value has no national root; use DefaultRules or set
// NationalRoot to the code a deployment uses for the nation.
type Rules struct {
	// NationalRoot is the 6-digit code parsed as Nation; empty disables it.
	NationalRoot string
}

// DefaultRules are the rules behind the package-level functions.
var DefaultRules = Rules{NationalRoot: DefaultNationalRoot}

// Parse returns the level of code under DefaultRules.
func Parse(code string) (Level, error) { return DefaultRules.Parse(code) }

// ImpliedParent returns the parent code implied by code's digits under DefaultRules.
func ImpliedParent(code string) string { return DefaultRules.ImpliedParent(code) }

// Rank orders levels from the top: nation 0 … township 4; an unknown level is -1.
func (l Level) Rank() int {
	switch l {
	case Nation:
		return 0
	case Province:
		return 1
	case City:
		return 2
	case County:
		return 3
	case Township:
		return 4
	}
	return -1
}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return l.Rank() >= 0 }

// ParseLevel converts a stored level name into a Level.
func ParseLevel(s string) (Level, error) {
	l := Level(s)
	if !l.Valid() {
		return "", fmt.Errorf("%w %q: must be nation, province, city, county or township", ErrInvalidLevel, s)
	}
	return l, nil
}

// ValidateChild reports whether a division of level child may sit directly below one
// of level parent. Besides the regular steps down, a province may hold counties
// directly (province-administered counties such as 429004) and a city may hold
// townships directly (cities without counties such as 441900).
func ValidateChild(parent, child Level) error {
	if !parent.Valid() {
		return fmt.Errorf("%w %q for the parent", ErrInvalidLevel, parent)
	}
	if !child.Valid() {
		return fmt.Errorf("%w %q for the child", ErrInvalidLevel, child)
	}
	if step := child.Rank() - parent.Rank(); step == 1 || (step == 2 && (parent == Province || parent == City)) {
		return nil
	}
	return fmt.Errorf("%w: a %s cannot sit directly below a %s", ErrInvalidLevel, child, parent)
}
