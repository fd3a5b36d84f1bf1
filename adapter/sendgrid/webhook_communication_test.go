package sendgrid_test

import (
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/sendgrid"
)

// A communication's mail carries firebreak_communication_id: it is read, and a
// malformed one is dropped for its own event only.
func TestDecodeReadsTheCommunicationID(t *testing.T) {
	body := []byte(`[
	 {"email":"a@example.com","event":"spamreport","sg_event_id":"c1","firebreak_communication_id":"0F5A7A1E-4C3B-4A53-9E2A-3C1D2B7E9F10","firebreak_recipient_id":"1f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"},
	 {"email":"b@example.com","event":"spamreport","sg_event_id":"c2","firebreak_communication_id":"0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f1Z","firebreak_recipient_id":"2f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"},
	 {"email":"c@example.com","event":"delivered","sg_event_id":"c3","firebreak_communication_id":{"x":1},"firebreak_recipient_id":"3f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"},
	 {"email":"d@example.com","event":"delivered","sg_event_id":"c4","firebreak_communication_id":"4f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10","firebreak_recipient_id":"5f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10"}
	]`)
	evs, err := sendgrid.Decode(body, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 4 {
		t.Fatalf("%d events, want 4", len(evs))
	}
	if e := evs[0]; e.CommunicationID != "0f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10" || e.RecipientID != "1f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10" || e.CampaignID != "" {
		t.Errorf("first: communication %q recipient %q campaign %q", e.CommunicationID, e.RecipientID, e.CampaignID)
	}
	for _, e := range evs[1:3] {
		if e.CommunicationID != "" || e.RecipientID != "" {
			t.Errorf("%s: a malformed communication id must give no ids, got %q/%q", e.SGEventID, e.CommunicationID, e.RecipientID)
		}
	}
	if e := evs[3]; e.CommunicationID != "4f5a7a1e-4c3b-4a53-9e2a-3c1d2b7e9f10" || e.RecipientID == "" {
		t.Errorf("the event after malformed ones: %+v", e)
	}
}
