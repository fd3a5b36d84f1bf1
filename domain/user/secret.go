package user

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Prefixes tell a leaked secret's kind at a glance (and to secret scanners).
const (
	tokenPrefix   = "fbk_"
	sessionPrefix = "fbs_"
)

// newSecret returns a random secret with the given prefix and its SHA-256.
// Only the hash is ever stored.
func newSecret(prefix string) (plain string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("user: crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashSecret(plain)
}

// HashSecret is how a token or session secret is looked up: SHA-256 of its text.
// A SHA-256 suffices (no slow hash) because secrets carry 256 random bits.
func HashSecret(plain string) []byte {
	h := sha256.Sum256([]byte(strings.TrimSpace(plain)))
	return h[:]
}

// displayPrefix is the part of a token safe to show in listings.
func displayPrefix(plain string) string {
	if len(plain) > len(tokenPrefix)+6 {
		return plain[:len(tokenPrefix)+6]
	}
	return plain
}

// bcryptCost is the work factor of password hashes (OWASP: at least 10).
const bcryptCost = 11

func hashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	return string(h), err
}

// dummyHash is compared against when the email is unknown, so a sign-in takes
// as long for an unknown address as for a known one.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("firebreak-timing-equaliser"), bcryptCost)

func checkPassword(hash, pw string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
