package division

import "fmt"

// Parse returns the level of code, or an error that wraps ErrInvalidCode and says
// which rule the code breaks.
func (r Rules) Parse(code string) (Level, error) {
	if r.NationalRoot != "" && code == r.NationalRoot {
		return Nation, nil
	}
	if err := digitsOnly(code); err != nil {
		return "", err
	}
	switch len(code) {
	case 6:
		return parse6(code)
	case 9:
		return parse9(code)
	}
	return "", fmt.Errorf("%w %q: must have 6 digits (province, city, county) or 9 (township), not %d", ErrInvalidCode, code, len(code))
}

// ImpliedParent returns the parent that code's digits imply: the county or city of a
// township, the city of a county, the province of a city. A province, the nation and
// an invalid code have none (""). The implied city of a province-administered county
// (429004 → 429000) does not exist; callers give such a county's parent explicitly.
func (r Rules) ImpliedParent(code string) string {
	level, err := r.Parse(code)
	if err != nil {
		return ""
	}
	switch level {
	case Township:
		return code[:6]
	case County:
		return code[:4] + "00"
	case City:
		return code[:2] + "0000"
	}
	return ""
}

// Prefix returns the digits of code that its descendants share: "23" for 230000,
// "2301" for 230100, "230102" for 230102, the whole code for a township and "" for
// the nation or an invalid code.
func (r Rules) Prefix(code string) string {
	level, err := r.Parse(code)
	if err != nil {
		return ""
	}
	switch level {
	case Province:
		return code[:2]
	case City:
		return code[:4]
	case County, Township:
		return code
	}
	return ""
}

// Prefix returns the digits of code that its descendants share under DefaultRules.
func Prefix(code string) string { return DefaultRules.Prefix(code) }

func digitsOnly(code string) error {
	if code == "" {
		return fmt.Errorf("%w: empty", ErrInvalidCode)
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return fmt.Errorf("%w %q: only digits are allowed, found %q at position %d", ErrInvalidCode, code, rune(code[i]), i+1)
		}
	}
	return nil
}

func parse6(code string) (Level, error) {
	province, prefecture, county := code[:2], code[2:4], code[4:6]
	if province < "11" || province > "82" {
		return "", fmt.Errorf("%w %q: province part %s is outside 11–82", ErrInvalidCode, code, province)
	}
	switch {
	case prefecture == "00" && county == "00":
		return Province, nil
	case county == "00":
		return City, nil
	case prefecture == "00":
		return "", fmt.Errorf("%w %q: a county part (%s) needs a prefecture part other than 00", ErrInvalidCode, code, county)
	}
	return County, nil
}

func parse9(code string) (Level, error) {
	base, err := parse6(code[:6])
	if err != nil {
		return "", fmt.Errorf("%w %q: its first 6 digits are not a division: %w", ErrInvalidCode, code, err)
	}
	if base == Province {
		return "", fmt.Errorf("%w %q: a township must sit below a city or county, not the province %s", ErrInvalidCode, code, code[:6])
	}
	if t := code[6:]; t < "001" || t > "399" {
		return "", fmt.Errorf("%w %q: township part %s is outside 001–399 (001–099 street, 100–199 town, 200–399 township)", ErrInvalidCode, code, t)
	}
	return Township, nil
}
