package catalog

import (
	"fmt"
	"strings"
)

const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var (
	usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	orgWeights  = [8]int{3, 7, 9, 10, 5, 8, 4, 2}
)

// GovernmentCreditCode builds a valid unified social credit code of a government
// body (registration authority 1 机构编制, type 1 机关) in a division, with an
// organisation code made from seq, for generated demo data and tests: both check
// characters (GB 11714 and GB 32100) are computed, so the code passes validation.
func GovernmentCreditCode(division string, seq int) string {
	org := fmt.Sprintf("%08d", seq%100000000)
	sum := 0
	for i := range 8 {
		sum += int(org[i]-'0') * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		org += "X"
	case 11:
		org += "0"
	default:
		org += string(rune('0' + c))
	}
	if strings.HasSuffix(org, "X") {
		// X is not in the credit code's charset: take the next organisation code.
		return GovernmentCreditCode(division, seq+1)
	}
	body := "11" + division[:6] + org
	sum = 0
	for i := range 17 {
		sum += strings.IndexByte(usccCharset, body[i]) * usccWeights[i]
	}
	return body + string(usccCharset[(31-sum%31)%31])
}
