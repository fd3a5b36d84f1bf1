package sendgrid_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/event"
)

// SendGrid's own test vector (SENDGRID.md §7.2; sendgrid-go eventwebhook_test.go).
const (
	vectorKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
	vectorSig = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
	vectorTS  = "1600112502"
)

var vectorBody = []byte(`[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]` + "\r\n")

func TestVerifyAgainstSendGridsVector(t *testing.T) {
	pub, err := eventwebhook.ConvertPublicKeyBase64ToECDSA(vectorKey)
	if err != nil {
		t.Fatal(err)
	}
	if !sendgrid.Verify(pub, vectorBody, vectorSig, vectorTS) {
		t.Fatal("SendGrid's own test vector does not verify")
	}
	for name, tamper := range map[string]func() ([]byte, string, string){
		"re-encoded body": func() ([]byte, string, string) {
			var v any
			_ = json.Unmarshal(vectorBody, &v)
			b, _ := json.Marshal(v)
			return b, vectorSig, vectorTS
		},
		"stripped CRLF": func() ([]byte, string, string) { return vectorBody[:len(vectorBody)-2], vectorSig, vectorTS },
		"other time":    func() ([]byte, string, string) { return vectorBody, vectorSig, "1600112503" },
		"no signature":  func() ([]byte, string, string) { return vectorBody, "", vectorTS },
		"garbage sig":   func() ([]byte, string, string) { return vectorBody, "not base64!", vectorTS },
		"changed byte": func() ([]byte, string, string) {
			b := append([]byte(nil), vectorBody...)
			b[10] = 'X'
			return b, vectorSig, vectorTS
		},
	} {
		body, sig, ts := tamper()
		if sendgrid.Verify(pub, body, sig, ts) {
			t.Errorf("%s verified", name)
		}
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if sendgrid.Verify(&other.PublicKey, vectorBody, vectorSig, vectorTS) {
		t.Error("verified with another key")
	}
}

func TestDecodeIsTolerantAndKeepsUnknownKeys(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	body := []byte(`[
	 {"email":"Ana@Example.com","timestamp":1763899206,"event":"delivered","category":"spring","sg_event_id":"e1","sg_message_id":"q7Hn.recvd-1.0","firebreak_campaign_id":"0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10","firebreak_recipient_id":"1f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10","x_future_field":{"a":1}},
	 {"email":"bo@example.com","timestamp":1763899260000,"event":"deferred","attempt":"2","category":["a","b"],"asm_group_id":"42"},
	 {"email":"cy@example.com","timestamp":1763899207,"event":"bounce","type":"bounce","bounce_classification":"Invalid Address","asm_group_id":42,"firebreak_campaign_id":"not-a-uuid","firebreak_recipient_id":"x"},
	 {"email":"dee@example.com","event":"open","sg_machine_open":true,"attempt":3}
	]`)
	evs, err := sendgrid.Decode(body, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 {
		t.Fatalf("%d events", len(evs))
	}
	a, b, c, d := evs[0], evs[1], evs[2], evs[3]
	if a.Email != "ana@example.com" || a.MessagePrefix != "q7Hn" || strings.Join(a.Categories, ",") != "spring" ||
		a.CampaignID == "" || a.RecipientID == "" || a.Timestamp.Unix() != 1763899206 {
		t.Errorf("a = %+v", a)
	}
	var raw map[string]any
	_ = json.Unmarshal(a.Raw, &raw)
	if raw["x_future_field"] == nil || raw["firebreak_campaign_id"] == nil {
		t.Error("unknown keys must be kept in Raw")
	}
	if b.Timestamp.Unix() != 1763899260 || b.Attempt != "2" || b.ASMGroupID != 42 || len(b.Categories) != 2 {
		t.Errorf("b = %+v (milliseconds, string attempt and group)", b)
	}
	if b.SGEventID == "" || !strings.HasPrefix(b.SGEventID, "nk:") {
		t.Errorf("a missing sg_event_id must be replaced by the natural key: %q", b.SGEventID)
	}
	if c.CampaignID != "" || c.RecipientID != "" || c.Type != "bounce" || c.Classification != "Invalid Address" || c.ASMGroupID != 42 {
		t.Errorf("c = %+v (invalid custom ids are dropped)", c)
	}
	if !d.MachineOpen || d.Attempt != "3" || !d.Timestamp.Equal(now) {
		t.Errorf("d = %+v (machine open, numeric attempt, no timestamp → now)", d)
	}
}

func TestDecodeRefusesWhatIsNotAnArrayOfObjects(t *testing.T) {
	for _, body := range []string{``, `{}`, `[1,2]`, `[{"event":"open"},"x"]`, `[{"email":`, `[] []`, `null`} {
		if _, err := sendgrid.Decode([]byte(body), time.Now()); !errors.Is(err, errs.Invalid) {
			t.Errorf("Decode(%q) = %v, want Invalid", body, err)
		}
	}
	if evs, err := sendgrid.Decode([]byte("[]\r\n"), time.Now()); err != nil || len(evs) != 0 {
		t.Errorf("an empty batch is fine: %v %v", evs, err)
	}
}

func TestNaturalKeyIgnoresSGEventID(t *testing.T) {
	now := time.Now()
	evs, _ := sendgrid.Decode([]byte(`[
	  {"sg_event_id":"a","sg_message_id":"m.1","event":"open","timestamp":100,"email":"x@y.z"},
	  {"sg_event_id":"b","sg_message_id":"m.1","event":"open","timestamp":100,"email":"x@y.z"},
	  {"sg_event_id":"c","sg_message_id":"m.1","event":"click","timestamp":100,"email":"x@y.z","url":"https://a"},
	  {"sg_event_id":"d","sg_message_id":"m.1","event":"click","timestamp":100,"email":"x@y.z","url":"https://b"}]`), now)
	if evs[0].NaturalKey() != evs[1].NaturalKey() {
		t.Error("the same open re-sent with a new sg_event_id must have the same natural key")
	}
	if evs[2].NaturalKey() == evs[3].NaturalKey() {
		t.Error("clicks on two URLs are two events")
	}
}

// TestNaturalKeyNeverCollapsesTwoRecipients: the same event at the same second
// for two addresses is two events, whether their sg_message_id is shared (one
// X-Message-Id for a whole request) or missing; the address's case does not
// make a retry a new event.
func TestNaturalKeyNeverCollapsesTwoRecipients(t *testing.T) {
	evs, err := sendgrid.Decode([]byte(`[
	  {"sg_event_id":"a","sg_message_id":"shared","event":"delivered","timestamp":100,"email":"ana@x.io"},
	  {"sg_event_id":"b","sg_message_id":"shared","event":"delivered","timestamp":100,"email":"bo@x.io"},
	  {"sg_event_id":"c","event":"bounce","timestamp":100,"email":"ana@x.io"},
	  {"sg_event_id":"d","event":"bounce","timestamp":100,"email":"bo@x.io"},
	  {"sg_event_id":"e","sg_message_id":"shared","event":"delivered","timestamp":100,"email":"ANA@x.io"}]`), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].NaturalKey() == evs[1].NaturalKey() {
		t.Error("two recipients with a shared sg_message_id collapsed into one event")
	}
	if evs[2].NaturalKey() == evs[3].NaturalKey() {
		t.Error("two recipients without an sg_message_id collapsed into one event")
	}
	if evs[0].NaturalKey() != evs[4].NaturalKey() {
		t.Error("the same event with the address in another case must keep its key")
	}
}

func sign(priv *ecdsa.PrivateKey, ts string, body []byte) string {
	h := sha256.Sum256(append([]byte(ts), body...))
	sig, _ := ecdsa.SignASN1(rand.Reader, priv, h[:])
	return base64.StdEncoding.EncodeToString(sig)
}

// FuzzDecodeAndVerify: neither the decoder nor the verifier panics on any
// input, the decoder reads what encoding/json reads (decodeReference), a
// decoded event always has a sg_event_id, and a signature verifies only for
// the exact bytes it signed.
func FuzzDecodeAndVerify(f *testing.F) {
	f.Add([]byte(vectorBody), "1600112502")
	f.Add([]byte(`[{"timestamp":"1e400","category":[1,{}],"asm_group_id":"NaN"}]`), "x")
	f.Add([]byte(`[{"timestamp":-5,"sg_machine_open":"yes","email":null}]`), "")
	for _, body := range trickyBodies {
		if len(body) < 1000 { // the deep nesting cases would slow every mutation
			f.Add([]byte(body), "1")
		}
	}
	f.Add(benchBody(7), "1700000000")
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	pubAny, _ := x509.ParsePKIXPublicKey(der)
	pub := pubAny.(*ecdsa.PublicKey)
	f.Fuzz(func(t *testing.T, body []byte, ts string) {
		sameAsReference(t, body)
		evs, err := sendgrid.Decode(body, time.Unix(1700000000, 0))
		if err == nil {
			for _, e := range evs {
				if e.SGEventID == "" || len(e.Raw) == 0 {
					t.Fatalf("event without id or raw: %+v", e)
				}
			}
		}
		sig := sign(priv, ts, body)
		if ok := sendgrid.Verify(pub, body, sig, ts); ok != (ts != "") {
			t.Fatalf("Verify = %v for a valid signature with timestamp %q (an empty timestamp is refused)", ok, ts)
		}
		if sendgrid.Verify(pub, append(append([]byte(nil), body...), ' '), sig, ts) {
			t.Fatal("a signature verified for other bytes")
		}
	})
}

// TestDecodeGroupIDOutsideInt32IsNoGroup: a group id is kept only when it is a
// possible SendGrid group (1..2^31-1); 4294967301 must not become group 5.
func TestDecodeGroupIDOutsideInt32IsNoGroup(t *testing.T) {
	for raw, want := range map[string]int{`42`: 42, `"42"`: 42, `2147483647`: 2147483647, `4294967301`: 0,
		`"4294967301"`: 0, `2147483648`: 0, `-7`: 0, `0`: 0, `1e30`: 0, `"NaN"`: 0, `null`: 0} {
		evs, err := sendgrid.Decode([]byte(`[{"event":"group_unsubscribe","asm_group_id":`+raw+`}]`), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := evs[0].ASMGroupID; got != want {
			t.Errorf("asm_group_id %s read as %d, want %d", raw, got, want)
		}
	}
}

// TestDecodeReadsNULAsReplacementCharacter: no decoded string holds NUL
// (Postgres text refuses it, which made the whole batch fail for 24 h); each
// \u0000 reads as U+FFFD, so an address with NUL never becomes another address.
func TestDecodeReadsNULAsReplacementCharacter(t *testing.T) {
	body := `[{"email":"a\u0000@x.com","event":"click\u0000","sg_event_id":"id\u0000","sg_message_id":"m\u0000.1",
		"reason":"r\u0000","status":"s\u0000","response":"p\u0000","attempt":"1\u0000","type":"t\u0000",
		"bounce_classification":"c\u0000","url":"https://x.io/\u0000","category":["k\u0000","\u0000"]},
		{"category":"\u0000k"}]`
	evs, err := sendgrid.Decode([]byte(body), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := evs[0]
	for name, got := range map[string]string{"email": e.Email, "event": e.Event, "sg_event_id": e.SGEventID,
		"sg_message_id": e.SGMessageID, "message prefix": e.MessagePrefix, "reason": e.Reason, "status": e.Status,
		"response": e.Response, "attempt": e.Attempt, "type": e.Type, "bounce_classification": e.Classification,
		"url": e.URL, "category 0": e.Categories[0], "category 1": e.Categories[1], "natural key": e.NaturalKey(),
		"category (string)": evs[1].Categories[0]} {
		if strings.ContainsRune(got, 0) || !strings.ContainsRune(got, '\uFFFD') {
			t.Errorf("%s = %q, want U+FFFD where NUL was", name, got)
		}
	}
	if e.Email != "a\uFFFD@x.com" {
		t.Errorf("email %q must not become another address", e.Email)
	}
	if !strings.Contains(string(e.Raw), `"a\u0000@x.com"`) {
		t.Errorf("raw must stay as posted: %s", e.Raw)
	}
}

// TestLongKeysAreDigestedOnePerEvent: an sg_event_id or natural key longer
// than MaxKeyLen (the store's unique indexes hold about 2.7 kB) is replaced by
// its digest: short enough to index, distinct for distinct events, the same
// for a retry.
func TestLongKeysAreDigestedOnePerEvent(t *testing.T) {
	url := "https://x.io/?t=" + strings.Repeat("a", 3000)
	body := `[{"sg_event_id":"` + strings.Repeat("e", 3000) + `","event":"open","sg_message_id":"m.1","timestamp":100},
		{"sg_event_id":"c1","event":"click","sg_message_id":"m.1","timestamp":100,"url":"` + url + `1"},
		{"sg_event_id":"c2","event":"click","sg_message_id":"m.1","timestamp":100,"url":"` + url + `2"},
		{"sg_event_id":"c3","event":"click","sg_message_id":"m.1","timestamp":100,"url":"https://x.io/short"}]`
	evs, err := sendgrid.Decode([]byte(body), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	again, _ := sendgrid.Decode([]byte(body), time.Now())
	if id := evs[0].SGEventID; len(id) > event.MaxKeyLen || id != again[0].SGEventID || !strings.HasPrefix(id, "sha256:") {
		t.Errorf("a 3000-byte sg_event_id became %q (want its digest, the same every time)", id)
	}
	k1, k2 := evs[1].NaturalKey(), evs[2].NaturalKey()
	if len(k1) > event.MaxKeyLen || len(k2) > event.MaxKeyLen || k1 == k2 || k1 != again[1].NaturalKey() {
		t.Errorf("natural keys of two clicks on long URLs: %q, %q (want two distinct digests, stable)", k1, k2)
	}
	if k := evs[3].NaturalKey(); k != "m.1||click|100|https://x.io/short" {
		t.Errorf("a short natural key must be kept whole, not digested: %q", k)
	}
	if evs[1].URL != url+"1" {
		t.Error("the URL itself is kept whole")
	}
}

// TestDecodeMillisecondsBeyondYear5000AreNow: as for seconds, a timestamp in
// milliseconds beyond the year 5000 is not real and reads as now (1e20 used to
// overflow into 1970).
func TestDecodeMillisecondsBeyondYear5000AreNow(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for raw, want := range map[string]time.Time{`1763899206000`: time.Unix(1763899206, 0).UTC(), `1e14`: time.UnixMilli(1e14).UTC(),
		`1.5e14`: now, `1e17`: now, `1e20`: now, `9e18`: now} {
		evs, err := sendgrid.Decode([]byte(`[{"event":"open","timestamp":`+raw+`}]`), now)
		if err != nil {
			t.Fatal(err)
		}
		if got := evs[0].Timestamp; !got.Equal(want) {
			t.Errorf("timestamp %s read as %s, want %s", raw, got, want)
		}
	}
}
