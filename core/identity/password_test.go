package identity

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestPasswordHash(t *testing.T) {
	phc, err := hashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("phc = %s", phc)
	}
	if ok, err := checkPassword(phc, "correct horse"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := checkPassword(phc, "correct horsE"); ok {
		t.Fatal("wrong password accepted")
	}
}

// TestPasswordParamsFromHash checks that hashes made with other parameters still
// verify, so the defaults can change later.
func TestPasswordParamsFromHash(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("pw-123456"), salt, 1, 8192, 2, 24)
	enc := base64.RawStdEncoding
	phc := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=2$%s$%s", enc.EncodeToString(salt), enc.EncodeToString(key))
	if ok, err := checkPassword(phc, "pw-123456"); !ok || err != nil {
		t.Fatalf("old parameters: %v %v", ok, err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=8192,t=1,p=2$c2FsdA$a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=2$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key),
		"$argon2id$v=19$m=8192,t=1,p=2$!!$" + enc.EncodeToString(key)} {
		if _, err := checkPassword(bad, "pw-123456"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}
