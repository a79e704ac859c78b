package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Password rules and argon2id parameters (OWASP's minimum for argon2id). Stored
// hashes carry their own parameters, so changing these affects new hashes only.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 1024

	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16

	// Limits on parameters read from stored hashes, so a bad row cannot exhaust memory.
	maxArgonMemory = 1 << 20
	maxArgonTime   = 16
)

var errBadHash = errors.New("identity: malformed password hash")

// hashPassword returns the PHC string $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("identity: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

// checkPassword reports whether password matches the PHC string, comparing in
// constant time.
func checkPassword(phc, password string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		m == 0 || m > maxArgonMemory || t == 0 || t > maxArgonTime || p == 0 {
		return false, errBadHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// generatePassword returns a random password of 24 URL-safe characters.
func generatePassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("identity: generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// dummy returns a hash to check unknown users' passwords against, so they take
// as long as known ones.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() {
		pw, _ := generatePassword()
		s.dummyHash, _ = hashPassword(pw)
	})
	return s.dummyHash
}
