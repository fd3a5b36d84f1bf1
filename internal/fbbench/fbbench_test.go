package fbbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/recipient"
)

// The sink's recipient count must not depend on how the body is cut into
// reads: a marker split across two writes counts once.
func TestMarkerCounterCountsAcrossWrites(t *testing.T) {
	body := strings.Repeat(`{"custom_args":{"firebreak_recipient_id":"x"}},`, 7) + `"firebreak_recipient_id"`
	for size := 1; size <= len(body); size++ {
		c := &markerCounter{marker: []byte(recipientMarker)}
		for i := 0; i < len(body); i += size {
			_, _ = c.Write([]byte(body[i:min(i+size, len(body))]))
		}
		if c.n != 8 {
			t.Fatalf("writes of %d bytes: counted %d markers, want 8", size, c.n)
		}
	}
}

// The generated CSV is what Import accepts: n valid rows, each in one or two
// of the three segments (or the one given), and the same file every time.
func TestCSVRowsAreValidImportRows(t *testing.T) {
	for _, tc := range []struct{ segment string }{{""}, {"naive"}} {
		in, _ := csvRows(1000, "t", tc.segment)
		rd, err := recipient.NewReader(in)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			row, bad, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil || bad != nil {
				t.Fatalf("row %d: %v %+v", n+1, err, bad)
			}
			n++
			if tc.segment != "" && !slices.Equal(row.Segments, []string{tc.segment}) ||
				tc.segment == "" && (len(row.Segments) < 1 || len(row.Segments) > 2) || row.Attributes["city"] == "" {
				t.Fatalf("row %d: %+v", n, row)
			}
		}
		in.Close()
		if n != 1000 {
			t.Fatalf("%d rows, want 1000", n)
		}
	}
}

// The sink records exactly the "to" address of every personalization the
// real sendgrid adapter sends — not the sender's or the reply-to's, named or
// not — so the apology's duplicate check at the sink counts recipients.
func TestSinkRecordsTheRecipientAddresses(t *testing.T) {
	sk := newSink()
	defer sk.Close()
	client := sendgrid.New(sendgrid.Config{APIKey: "SG.test", BaseURL: sk.URL()})
	to := []string{"ana@x.example", "bo@y.example", "ana@x.example"}
	m := esp.Message{From: esp.Address{Email: "news@brand.example", Name: "Brand"},
		ReplyTo: esp.Address{Email: "care@brand.example"}, Subject: "Sorry", Text: "Sorry, {{email}}", HTML: "<p>Sorry</p>"}
	for i, a := range to {
		m.Personalizations = append(m.Personalizations, esp.Personalization{To: esp.Address{Email: a, Name: map[bool]string{true: "Ana"}[i == 0]},
			Substitutions: map[string]string{`"email":"`: "trap@z.example"},
			CustomArgs:    map[string]string{"firebreak_recipient_id": fmt.Sprint(i)}})
	}
	sk.recordAddresses(len(to))
	if _, err := client.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := sk.takeAddresses()
	want := []uint64{addressHash(to[0]), addressHash(to[1]), addressHash(to[2])}
	if !slices.Equal(got, want) {
		t.Errorf("recorded %v, want the hashes of %v: %v", got, to, want)
	}
	if n := sk.recipients.Load(); n != 3 {
		t.Errorf("counted %d recipients, want 3", n)
	}
}
