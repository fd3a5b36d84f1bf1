package event

import "time"

// Webhook reads an ESP's signed event posts: the signature check over the
// body exactly as received, and the decoder. adapter/sendgrid implements it
// for SendGrid's Signed Event Webhook; the HTTP layer calls it before
// anything of a post is parsed or stored.
type Webhook interface {
	// Verify reports whether the post's signature headers (read through
	// header) sign body. body must be the bytes as received.
	Verify(body []byte, header func(name string) string) bool
	// SignedAt is the post's signed timestamp, when it has a readable one.
	SignedAt(header func(name string) string) (time.Time, bool)
	// Decode reads a verified body into its events; a body that is not what
	// the ESP posts is ErrMalformed.
	Decode(body []byte, now time.Time) ([]Event, error)
}
