package sendgrid_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/ids"
)

// decodeReference is Decode as it was before the hand-written scanner, on
// encoding/json: the meaning the scanner must keep. Where they are meant to
// differ, sameAsReference says so.
func decodeReference(body []byte, now time.Time) ([]event.Event, error) {
	var items []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&items); err != nil {
		return nil, fmt.Errorf("%w: %v", event.ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the array", event.ErrMalformed)
	}
	if items == nil { // "null"
		return nil, fmt.Errorf("%w: null", event.ErrMalformed)
	}
	out := make([]event.Event, 0, len(items))
	for i, raw := range items {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			return nil, fmt.Errorf("%w: item %d is not an object", event.ErrMalformed, i)
		}
		e := event.Event{Raw: raw}
		e.Email = strings.ToLower(strings.TrimSpace(refStr(m["email"])))
		e.Event = strings.TrimSpace(refStr(m["event"]))
		e.SGEventID = refStr(m["sg_event_id"])
		if len(e.SGEventID) > event.MaxKeyLen { // meant to differ: long ids are digested
			sum := sha256.Sum256([]byte(e.SGEventID))
			e.SGEventID = "sha256:" + hex.EncodeToString(sum[:])
		}
		e.SGMessageID = refStr(m["sg_message_id"])
		e.MessagePrefix, _, _ = strings.Cut(e.SGMessageID, ".")
		e.Timestamp = refTimestamp(m["timestamp"], now)
		e.Categories = refStrs(m["category"])
		e.Reason, e.Status, e.Response = refStr(m["reason"]), refStr(m["status"]), refStr(m["response"])
		e.Attempt, e.Type, e.Classification = refStr(m["attempt"]), refStr(m["type"]), refStr(m["bounce_classification"])
		e.URL = refStr(m["url"])
		if g := refNum(m["asm_group_id"]); g >= 1 && g <= math.MaxInt32 { // meant to differ: no wrapped group ids
			e.ASMGroupID = int(g)
		}
		e.MachineOpen = refBoolean(m["sg_machine_open"])
		if id := refStr(m["firebreak_recipient_id"]); ids.Valid(id) {
			e.RecipientID = strings.ToLower(id)
		}
		if id := refStr(m["firebreak_campaign_id"]); ids.Valid(id) && e.RecipientID != "" {
			e.CampaignID = strings.ToLower(id)
		}
		if id := refStr(m["firebreak_communication_id"]); ids.Valid(id) && e.RecipientID != "" {
			e.CommunicationID = strings.ToLower(id)
		}
		if e.CampaignID == "" && e.CommunicationID == "" {
			e.RecipientID = ""
		}
		if e.SGEventID == "" {
			e.SGEventID = "nk:" + e.NaturalKey()
		}
		out = append(out, e)
	}
	return out, nil
}

func refStr(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return refNUL(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b)
	}
	return ""
}

func refNum(raw json.RawMessage) float64 {
	f, err := strconv.ParseFloat(refStr(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

func refBoolean(raw json.RawMessage) bool {
	v, _ := strconv.ParseBool(refStr(raw))
	return v
}

// refNUL is meant to differ: NUL reads as U+FFFD (Postgres text cannot hold it).
func refNUL(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }

func refStrs(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for i := range many {
			many[i] = refNUL(many[i])
		}
		return many
	}
	if s := refStr(raw); s != "" {
		return []string{s}
	}
	return nil
}

func refTimestamp(raw json.RawMessage, now time.Time) time.Time {
	v := refNum(raw)
	if v <= 0 || v > 1e14 { // meant to differ: no milliseconds beyond the year 5000
		return now.UTC().Truncate(time.Second)
	}
	if v > 1e12 {
		return time.UnixMilli(int64(v)).UTC()
	}
	if v > 1e11 {
		return now.UTC().Truncate(time.Second)
	}
	return time.Unix(int64(v), 0).UTC()
}

// sameAsReference checks Decode against decodeReference on body. They differ
// on purpose in two ways: invalid UTF-8 is malformed now (Postgres refuses it),
// and so is data after the array even when it starts with ']' or '}' (which
// json.Decoder.More does not count as more data). decodeReference itself
// marks where it was changed with Decode ("meant to differ").
func sameAsReference(t *testing.T, body []byte) {
	t.Helper()
	now := time.Unix(1700000000, 123456789)
	got, err := sendgrid.Decode(body, now)
	want, refErr := decodeReference(body, now)
	wantOK := refErr == nil && utf8.Valid(body) && json.Valid(body)
	if err != nil && !errors.Is(err, event.ErrMalformed) {
		t.Fatalf("Decode(%q): error %v does not wrap ErrMalformed", body, err)
	}
	if (err == nil) != wantOK {
		t.Fatalf("Decode(%q): error %v, reference error %v, valid UTF-8 %v", body, err, refErr, utf8.Valid(body))
	}
	if err != nil {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("Decode(%q): %d events, reference %d", body, len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("Decode(%q) event %d:\n got %#v\nwant %#v", body, i, got[i], want[i])
		}
	}
}

// trickyBodies are inputs where a hand-written decoder easily parts from
// encoding/json; FuzzDecodeAndVerify starts from them too.
var trickyBodies = []string{
	// Shapes and whitespace.
	``, ` `, `[]`, " \t\r\n[ \t\r\n]\r\n", `[{}]`, `[ { } , { } ]`, `null`, ` null `, `nul`, `{}`, `"x"`, `1`,
	`[`, `]`, `[]]`, `[]}`, `[] ]`, `[] x`, `[][]`, `[{}`, `[{},]`, `[,{}]`, `[{}{}]`, `[{},,{}]`,
	`[null]`, `[1]`, `[{}, "x"]`, `[[]]`, `[{} 1]`, "\ufeff[]", "[]\x00", "[\v]",
	// Objects.
	`[{"a"}]`, `[{"a":}]`, `[{"a" 1}]`, `[{"a":1,}]`, `[{,"a":1}]`, `[{1:1}]`, `[{'a':1}]`, `[{"a":1 "b":2}]`,
	`[{"email":"A@B.C","email":"x@y.z"}]`, `[{"email":"x@y.z","email":null}]`, `[{"email":"x@y.z","email":{}}]`,
	`[{"em\u0061il":"esc@key.com"}]`, `[{"email":"a@b.c","em\u0061il":"b@c.d"}]`, `[{"\u0065vent":"open","event\u0000":"x"}]`,
	`[{"event":"open","x":{"y":[1,{"z":[]}],"w":{}}}]`, `[{"event":"open","x":[[[[[[[[[[]]]]]]]]]]}]`,
	// Literals and numbers.
	`[{"timestamp":true}]`, `[{"timestamp":tru}]`, `[{"timestamp":nulll}]`, `[{"timestamp":False}]`,
	`[{"timestamp":1700000000}]`, `[{"timestamp":-0}]`, `[{"timestamp":01}]`, `[{"timestamp":1.}]`, `[{"timestamp":.5}]`,
	`[{"timestamp":1e}]`, `[{"timestamp":1e+}]`, `[{"timestamp":1E+9}]`, `[{"timestamp":-}]`, `[{"timestamp":+1}]`,
	`[{"timestamp":1700000000.9e0}]`, `[{"timestamp":1.7e9}]`, `[{"timestamp":1700000000000}]`, `[{"timestamp":2e11}]`,
	`[{"timestamp":"1700000000"}]`, `[{"timestamp":" 1700000000"}]`, `[{"timestamp":"0x1p30"}]`, `[{"timestamp":"Inf"}]`,
	`[{"timestamp":"1_700_000_000"}]`, `[{"timestamp":1e400}]`, `[{"timestamp":-1e400}]`, `[{"timestamp":1e-400}]`,
	`[{"timestamp":[1700000000]}]`, `[{"timestamp":1e14}]`, `[{"timestamp":1.0000001e14}]`, `[{"timestamp":1e20}]`, `[{"timestamp":{"s":1}}]`, `[{"timestamp":null}]`,
	`[{"asm_group_id":"42"}]`, `[{"asm_group_id":42.9}]`, `[{"asm_group_id":-7}]`, `[{"asm_group_id":1e30}]`, `[{"asm_group_id":"NaN"}]`,
	`[{"asm_group_id":4294967301}]`, `[{"asm_group_id":2147483647}]`, `[{"asm_group_id":2147483648}]`, `[{"asm_group_id":0.5}]`,
	`[{"sg_machine_open":true}]`, `[{"sg_machine_open":"T"}]`, `[{"sg_machine_open":1}]`, `[{"sg_machine_open":"yes"}]`,
	`[{"sg_machine_open":false}]`, `[{"sg_machine_open":[true]}]`,
	`[{"attempt":3}]`, `[{"attempt":3.50}]`, `[{"attempt":-0.0e-0}]`, `[{"attempt":false}]`, `[{"attempt":{}}]`,
	// Categories.
	`[{"category":"spring"}]`, `[{"category":""}]`, `[{"category":[]}]`, `[{"category":[ ]}]`, `[{"category":["a","b"]}]`,
	`[{"category":["a",null,"b"]}]`, `[{"category":[null]}]`, `[{"category":["a",1]}]`, `[{"category":["a",["b"]]}]`,
	`[{"category":["a",{}]}]`, `[{"category":["a",true]}]`, `[{"category":null}]`, `[{"category":7}]`, `[{"category":true}]`,
	`[{"category":{}}]`, `[{"category":["\u00e9t\u00e9","a\"b", "c\\d"]}]`, `[{"category":["1","2","3","4","5","6","7","8","9","10"]}]`,
	`[{"category":["a","b",]}]`, `[{"category":["a" "b"]}]`,
	// Strings and escapes.
	`[{"email":"  Ana@Example.COM \t"}]`, `[{"event":" open "}]`, `[{"reason":"a\"b\\c\/d\be\ff\ng\rh\ti"}]`,
	`[{"reason":"\u0000"}]`, `[{"reason":"a\u0000b"}]`, `[{"reason":"\u00e9\u20ac\uFFFD\uffff"}]`,
	`[{"reason":"\ud83d\ude00"}]`, `[{"reason":"\uD83D\uDE00"}]`, `[{"reason":"\ud83d"}]`, `[{"reason":"\ude00"}]`,
	`[{"reason":"\ud83dx"}]`, `[{"reason":"\ud83d\u0041"}]`, `[{"reason":"\ud83d\ud83d\ude00"}]`, `[{"reason":"\ude00\ud83d"}]`,
	`[{"reason":"\ud83d\"}]`, `[{"reason":"\ud83d\n"}]`, `[{"reason":"\ud83d\ude0"}]`, `[{"reason":"\ud83d\u"}]`,
	`[{"reason":"\u12"}]`, `[{"reason":"\u12G4"}]`, `[{"reason":"\x"}]`, `[{"reason":"\'"}]`, `[{"reason":"\U0041"}]`,
	`[{"reason":"\`, `[{"reason":"abc`, "[{\"reason\":\"a\tb\"}]", "[{\"reason\":\"a\x7fb\"}]", "[{\"reason\":\"a\x1fb\"}]",
	"[{\"reason\":\"é€😀\"}]", "[{\"reason\":\"\xff\"}]", "[{\"reason\":\"\xc3\"}]", "[{\"reason\":\"\xed\xa0\x80\"}]",
	"[{\"reason\":\"\xef\xbf\xbd\"}]", "[{\"x\":\"\xff\",\"event\":\"open\"}]", "[{\"\xff\":1}]",
	`[{"reason":"` + strings.Repeat(`\u00e9`, 50) + `"}]`,
	// Ids and keys.
	`[{"sg_message_id":"abc.def.ghi","event":"click","url":"https://a/?q=\u0026","timestamp":100}]`,
	`[{"sg_message_id":".x"}]`, `[{"sg_message_id":7}]`, `[{"email":"X@Y.Z","event":"open","timestamp":5}]`,
	`[{"sg_event_id":""}]`, `[{"sg_event_id":null}]`, `[{"sg_event_id":0}]`,
	`[{"sg_event_id":"` + strings.Repeat("i", event.MaxKeyLen) + `"}]`, `[{"sg_event_id":"` + strings.Repeat("i", event.MaxKeyLen+1) + `"}]`,
	`[{"event":"click","url":"` + strings.Repeat("u", 3000) + `"}]`,
	`[{"firebreak_campaign_id":"0F5A7A1E-4C3B-4A53-9E2A-3C1D2B7E9F10","firebreak_recipient_id":"1f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"}]`,
	`[{"firebreak_campaign_id":"0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"}]`,
	`[{"firebreak_campaign_id":"0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10","firebreak_recipient_id":"1f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f1\u0030"}]`,
	`[{"firebreak_campaign_id":"0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10\n","firebreak_recipient_id":"1f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"}]`,
	`[{"firebreak_communication_id":"0F5A7A1E-4C3B-4A53-9E2A-3C1D2B7E9F10","firebreak_recipient_id":"1f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"}]`,
	`[{"firebreak_communication_id":"0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"}]`,
	`[{"firebreak_communication_id":"not-a-uuid","firebreak_recipient_id":"1f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"}]`,
	`[{"firebreak_communication_id":7,"firebreak_campaign_id":"0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10","firebreak_recipient_id":"1f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"}]`,
	// Nesting: encoding/json allows 10000 levels, the batch array counting.
	`[{"x":` + strings.Repeat(`[`, 9998) + strings.Repeat(`]`, 9998) + `}]`,
	`[{"x":` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999) + `}]`,
	`[{"x":` + strings.Repeat(`{"a":`, 9998) + `1` + strings.Repeat(`}`, 9998) + `}]`,
	`[{"x":` + strings.Repeat(`{"a":`, 9999) + `1` + strings.Repeat(`}`, 9999) + `}]`,
	string(vectorBody),
}

func TestDecodeMatchesTheReference(t *testing.T) {
	for _, body := range trickyBodies {
		sameAsReference(t, []byte(body))
	}
	sameAsReference(t, benchBody(200))
}

// TestDecodeStringsAtEveryOffset: each byte of a string that needs care
// (escapes, multi-byte and invalid UTF-8, control characters) anywhere in it.
func TestDecodeStringsAtEveryOffset(t *testing.T) {
	for _, special := range []string{`\"`, `\\`, `\n`, `\u00e9`, `\ud83d\ude00`, "é", "😀", "\x01", "\x1f", "\x7f", "\xff", `"`, "\xe2\x82"} {
		for at := range 17 {
			s := strings.Repeat("a", at) + special + strings.Repeat("b", 17-at)
			sameAsReference(t, []byte(`[{"reason":"`+s+`","category":["`+s+`"],"x":"`+s+`"}]`))
		}
	}
}

func TestDecodeRefusesInvalidUTF8(t *testing.T) {
	for _, body := range []string{"[{\"email\":\"\xffa@b.c\"}]", "[{\"x\":[\"\xc3\"]}]", "[{\"k\xe2\x82\":1}]"} {
		if _, err := sendgrid.Decode([]byte(body), time.Now()); !errors.Is(err, event.ErrMalformed) {
			t.Errorf("Decode(%q) = %v, want ErrMalformed", body, err)
		}
	}
}

func TestDecodeRawIsTheObjectAsPosted(t *testing.T) {
	body := []byte("[ {\"event\" : \"open\" ,\"x\":[1, 2]}\r\n,\t{}]")
	evs, err := sendgrid.Decode(body, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if string(evs[0].Raw) != "{\"event\" : \"open\" ,\"x\":[1, 2]}" || string(evs[1].Raw) != "{}" {
		t.Errorf("raw = %q, %q", evs[0].Raw, evs[1].Raw)
	}
	// Raw aliases the body, but appending to it must not overwrite the next event.
	_ = append(evs[0].Raw, "XXXX"...)
	if string(evs[1].Raw) != "{}" || !bytes.HasSuffix(body, []byte("{}]")) {
		t.Errorf("appending to Raw wrote into the body: %q", body)
	}
}

func TestDecodeSaysWhatIsWrong(t *testing.T) {
	for body, want := range map[string]string{
		`[{},1]`:                    "item 1 is not an object",
		`[] x`:                      "data after the array",
		`null`:                      "null",
		`{"event":"open"}`:          "not a JSON array",
		`[{"event":"open}]`:         "invalid JSON at byte 17: unexpected end",
		`[{"event":"open","n":01}]`: "invalid JSON at byte 22",
	} {
		_, err := sendgrid.Decode([]byte(body), time.Now())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%q) = %v, want an error saying %q", body, err, want)
		}
	}
}

// benchBody is a webhook post of n events as cmd/fbbench sends it (and
// SendGrid, with Firebreak's custom args): deliveries, opens, clicks, bounces.
func benchBody(n int) []byte {
	const campaign = "0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"
	kinds := []string{"processed", "delivered", "open", "click", "open", "deferred", "bounce"}
	b := []byte{'['}
	for j := range n {
		i, kind := j/len(kinds), kinds[j%len(kinds)]
		if j > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"email":"w%07d@bench.example","timestamp":%d,"smtp-id":"<bm%d@bench.example>","event":"%s",`,
			i+1, 1763899206+int64(j%600), i+1, kind)
		b = fmt.Appendf(b, `"category":["newsletter","bench"],"sg_event_id":"ZmJiZW5jaCw%d","sg_message_id":"bmw%d.filterdrecv-5645d9c87f-bench-1-64B2C3D4-1.0",`,
			j, i+1)
		b = fmt.Appendf(b, `"firebreak_campaign_id":"%s","firebreak_recipient_id":"%08x-4c3b-4a53-9e2a-3c1d2b7e9f10"`, campaign, i)
		switch kind {
		case "delivered", "deferred":
			b = append(b, `,"response":"250 2.0.0 OK 1700000000 bench","ip":"167.89.0.1","tls":1`...)
			if kind == "deferred" {
				b = append(b, `,"attempt":"1"`...)
			}
		case "bounce":
			b = append(b, `,"type":"bounce","status":"5.1.1","reason":"550 5.1.1 The email account that you tried to reach does not exist","bounce_classification":"Invalid Address","ip":"167.89.0.1","tls":1`...)
		case "open":
			b = fmt.Appendf(b, `,"useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","ip":"203.0.113.9","sg_machine_open":%t`, i%3 == 0)
		case "click":
			b = fmt.Appendf(b, `,"useragent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)","ip":"203.0.113.9","url":"https://news.bench.example/story/%d?utm_source=firebreak","url_offset":{"index":0,"type":"html"}`,
				1+i%12)
		}
		b = append(b, '}')
	}
	return append(b, "]\r\n"...)
}

func BenchmarkDecode(b *testing.B) {
	benchmarkDecode(b, sendgrid.Decode)
}

func BenchmarkDecodeReference(b *testing.B) {
	benchmarkDecode(b, decodeReference)
}

func benchmarkDecode(b *testing.B, decode func([]byte, time.Time) ([]event.Event, error)) {
	body, now := benchBody(1000), time.Now()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if evs, err := decode(body, now); err != nil || len(evs) != 1000 {
			b.Fatal(len(evs), err)
		}
	}
}
