package event_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/event"
)

// TestNaturalKey: what makes two posts one event, and what never does.
func TestNaturalKey(t *testing.T) {
	at := time.Unix(100, 0)
	ev := func(msg, email, kind, url string) event.Event {
		return event.Event{SGMessageID: msg, Email: email, Event: kind, Timestamp: at, URL: url}
	}
	same := []struct {
		name string
		a, b event.Event
	}{
		{"a retry with a new sg_event_id", ev("m.1", "a@x.io", "open", ""), func() event.Event {
			e := ev("m.1", "a@x.io", "open", "")
			e.SGEventID = "other"
			return e
		}()},
		{"the address in another case", ev("m.1", "ana@x.io", "delivered", ""), ev("m.1", "ANA@x.io", "delivered", "")},
	}
	for _, c := range same {
		if c.a.NaturalKey() != c.b.NaturalKey() {
			t.Errorf("%s: keys differ: %q, %q", c.name, c.a.NaturalKey(), c.b.NaturalKey())
		}
	}
	differ := []struct {
		name string
		a, b event.Event
	}{
		{"clicks on two URLs", ev("m.1", "a@x.io", "click", "https://a"), ev("m.1", "a@x.io", "click", "https://b")},
		{"two recipients with a shared sg_message_id", ev("shared", "ana@x.io", "delivered", ""), ev("shared", "bo@x.io", "delivered", "")},
		{"two recipients without an sg_message_id", ev("", "ana@x.io", "bounce", ""), ev("", "bo@x.io", "bounce", "")},
	}
	for _, c := range differ {
		if c.a.NaturalKey() == c.b.NaturalKey() {
			t.Errorf("%s: one key for two events: %q", c.name, c.a.NaturalKey())
		}
	}
	long := ev("m.1", "a@x.io", "click", "https://x.io/"+strings.Repeat("p", 3000))
	if k := long.NaturalKey(); len(k) > event.MaxKeyLen || !strings.HasPrefix(k, "sha256:") || k != long.NaturalKey() {
		t.Errorf("a key over MaxKeyLen must be its stable digest: %q", k)
	}
}
