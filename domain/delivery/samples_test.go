package delivery_test

import (
	"encoding/json"
	"testing"

	"github.com/firebreak/firebreak/domain/delivery"
)

// sendgridSamples are the sample payloads of SENDGRID.md §6.3, verbatim, with
// what each one means.
var sendgridSamples = []struct {
	name    string
	payload string
	want    delivery.Class
}{
	{"processed", `[{"email":"ana@example.com","timestamp":1763899200,"smtp-id":"<q7Hn2VbXT0yK3pLm9sWcEg@geopod-ismtpd-3>","event":"processed","category":["spring-sale"],"sg_event_id":"cHJvY2Vzc2VkLTMxNDE1OTI2LXE3SG4yVmJYVDB5SzNwTG05c1djRWctMA","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-1.0","pool":{"name":"marketing","id":210},"asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{}},
	{"dropped", `[{"email":"old@example.net","timestamp":1763899201,"smtp-id":"<q7Hn2VbXT0yK3pLm9sWcEg@geopod-ismtpd-3>","event":"dropped","category":["spring-sale"],"sg_event_id":"ZHJvcC0zMTQxNTkyNi1xN0huMlZiWFQweUszcExtOXNXY0VnLTA","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-2.0","reason":"Bounced Address","status":"5.0.0","asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{Reason: "already suppressed: bounced address"}},
	{"delivered", `[{"email":"ana@example.com","timestamp":1763899206,"smtp-id":"<q7Hn2VbXT0yK3pLm9sWcEg@geopod-ismtpd-3>","event":"delivered","category":["spring-sale"],"sg_event_id":"ZGVsaXZlcmVkLTMxNDE1OTI2LXE3SG4yVmJYVDB5SzNwTG05c1djRWctMA","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-1.0","response":"250 2.0.0 OK  1763899206 a1b2c3d4e5 - gsmtp","ip":"149.72.10.20","tls":1,"asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{}},
	{"deferred", `[{"email":"bo@example.org","timestamp":1763899260,"smtp-id":"<q7Hn2VbXT0yK3pLm9sWcEg@geopod-ismtpd-3>","event":"deferred","category":["spring-sale"],"sg_event_id":"ZGVmZXJyZWQtMzE0MTU5MjYtcTdIbjJWYlhUMHlLM3BMbTlzV2NFZy0w","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-3.0","response":"452 4.2.2 The recipient's inbox is out of storage space.","attempt":"2","ip":"149.72.10.20","asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{Kind: delivery.Soft, Level: delivery.Address, Reason: "mailbox full (4.2.2)"}},
	{"bounce, type=bounce (hard)", `[{"email":"nobody@example.com","timestamp":1763899207,"smtp-id":"<q7Hn2VbXT0yK3pLm9sWcEg@geopod-ismtpd-3>","event":"bounce","category":["spring-sale"],"sg_event_id":"Ym91bmNlLTMxNDE1OTI2LXE3SG4yVmJYVDB5SzNwTG05c1djRWctMA","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-4.0","reason":"550 5.1.1 The email account that you tried to reach does not exist.","status":"5.1.1","type":"bounce","bounce_classification":"Invalid Address","ip":"149.72.10.20","tls":1,"asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{Kind: delivery.Hard, Level: delivery.Address, Suppress: true, Reason: "invalid address (5.1.1)"}},
	{"bounce, type=blocked (block)", `[{"email":"cy@corp.example","timestamp":1763899208,"smtp-id":"<q7Hn2VbXT0yK3pLm9sWcEg@geopod-ismtpd-3>","event":"bounce","category":["spring-sale"],"sg_event_id":"OWEwZTlhODEtODAxZC00NmMzLTg5ODctMTgxMTE5ZGJkZjZk","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-5.0","reason":"554 5.7.1 Service unavailable; Client host [149.72.10.20] blocked using a reputation list","status":"5.7.1","type":"blocked","bounce_classification":"Reputation","ip":"149.72.10.20","tls":0,"asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{Kind: delivery.Block, Level: delivery.Sender, Reason: "sender reputation (5.7.1)"}},
	{"bounce, asynchronous/delayed", `[{"email":"dee@example.com","timestamp":1763902800,"smtp-id":"<q7Hn2VbXT0yK3pLm9sWcEg@geopod-ismtpd-3>","event":"bounce","sg_event_id":"ZmUwOTRkMjgtMzRkZC00NmQyLTk1NDctYmVkMjZhYjI0YjZk","reason":"mailbox unavailable","type":"blocked","bounce_classification":"Unclassified","tls":0,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{Kind: delivery.Block, Level: delivery.Address, Reason: "mailbox unavailable"}},
	{"open", `[{"email":"ana@example.com","timestamp":1763899500,"event":"open","category":["spring-sale"],"sg_event_id":"NmRlZTgzMWMtZTA1OS00MWQzLTg5MzItOWFmNzRhYzQ1YzY4","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-1.0","useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36","ip":"203.0.113.17","sg_machine_open":false,"sg_content_type":"html","asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{}},
	{"click", `[{"email":"ana@example.com","timestamp":1763899560,"event":"click","category":["spring-sale"],"sg_event_id":"NDZkZTE0MDUtZGZkMy00MTllLTg5NjctNzg4MzExZTMwZGUx","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-1.0","useragent":"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148","ip":"203.0.113.17","url":"https://shop.example.com/sale?utm_source=email","url_offset":{"index":0,"type":"html"},"asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{}},
	{"spamreport", `[{"email":"ed@example.com","timestamp":1763903000,"event":"spamreport","category":["spring-sale"],"sg_event_id":"MjU1NzNlZDUtZTVkMS00ZjA5LWI2ZmMtNjc5OGNkYTY5MGJj","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-6.0","asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{}},
	{"unsubscribe", `[{"email":"fay@example.com","timestamp":1763903100,"event":"unsubscribe","category":["spring-sale"],"sg_event_id":"YjI0ZjVlYzgtY2NiNS00YjY3LTkxODctZWExMTFmZDczYWQx","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-7.0","x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{}},
	{"group_unsubscribe", `[{"email":"gus@example.com","timestamp":1763903200,"event":"group_unsubscribe","sg_event_id":"NTVlNmJmNzgtNmUwNi00YmI0LTk0ODktYTYyZmZkYjIxYTRk","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-8.0","useragent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15","ip":"198.51.100.4","url":"https://u123456.ct.sendgrid.net/asm/unsubscribe/?user_id=123456&data=...","asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{}},
	{"group_resubscribe", `[{"email":"gus@example.com","timestamp":1763903300,"event":"group_resubscribe","sg_event_id":"Yjk4OGVmODQtMTEyNS00YmUwLTgwMWUtMTc2MjhmMzBiOGI5","sg_message_id":"q7Hn2VbXT0yK3pLm9sWcEg.recvd-5c9f8d7b6-x2klm-1-6922A640-8.0","useragent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15","ip":"198.51.100.4","url":"https://u123456.ct.sendgrid.net/asm/?user_id=123456&data=...","asm_group_id":4211,"x_campaign":"spring-2026","x_send_id":"s-8812"}]`,
		delivery.Class{}},
	{"Single Send open", `[{"email":"hal@example.com","timestamp":1763906400,"event":"open","category":[],"ip":"203.0.113.99","useragent":"Mozilla/5.0","sg_machine_open":true,"sg_content_type":"html","sg_event_id":"c2luZ2xlc2VuZC1vcGVuLTAwMQ","sg_message_id":"Zx81mKd0Rq2n4VbWc9Lp1A.recvd-5c9f8d7b6-x2klm-1-6922B2C0-1.0","singlesend_id":"0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10","singlesend_name":"Spring sale wave 1","mc_stats":"singlesend","phase_id":"send","send_at":"1763906000","template_id":"d-8f1c0e2a0b7c4f9e9a1b2c3d4e5f6a7b","sg_template_id":"d-8f1c0e2a0b7c4f9e9a1b2c3d4e5f6a7b","sg_template_name":"Spring"}]`,
		delivery.Class{}},
}

// TestClassifySendGridSamples decodes each sample the way the webhook ingest
// does and classifies it; a deferred event's reply is in response, not reason.
func TestClassifySendGridSamples(t *testing.T) {
	for _, tc := range sendgridSamples {
		t.Run(tc.name, func(t *testing.T) {
			var events []map[string]any
			if err := json.Unmarshal([]byte(tc.payload), &events); err != nil {
				t.Fatalf("decode sample: %v", err)
			}
			if len(events) != 1 {
				t.Fatalf("want one event, got %d", len(events))
			}
			field := func(k string) string { s, _ := events[0][k].(string); return s }
			reason := field("reason")
			if reason == "" {
				reason = field("response")
			}
			got := delivery.Classify(field("event"), field("type"), field("bounce_classification"), field("status"), reason)
			if got != tc.want {
				t.Errorf("Classify = %#v\n want %#v", got, tc.want)
			}
		})
	}
}
