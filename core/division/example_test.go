package division_test

import (
	"fmt"

	"github.com/gdbos/gdbos/core/division"
)

func ExampleParse() {
	for _, code := range []string{"230000", "230100", "230102", "230102001", "230102400"} {
		level, err := division.Parse(code)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(code, level)
	}
	// Output:
	// 230000 province
	// 230100 city
	// 230102 county
	// 230102001 township
	// division: invalid code "230102400": township part 400 is outside 001–399 (001–099 street, 100–199 town, 200–399 township)
}

func ExampleImpliedParent() {
	fmt.Println(division.ImpliedParent("230102001"))
	fmt.Println(division.ImpliedParent("230102"))
	fmt.Println(division.ImpliedParent("230100"))
	fmt.Printf("%q\n", division.ImpliedParent("230000"))
	// Output:
	// 230102
	// 230100
	// 230000
	// ""
}

func ExampleValidateChild() {
	fmt.Println(division.ValidateChild(division.Province, division.County))
	fmt.Println(division.ValidateChild(division.Province, division.Township))
	// Output:
	// <nil>
	// division: invalid level: a township cannot sit directly below a province
}
