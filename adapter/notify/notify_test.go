package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/adapter/notify"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/incident"
)

type sender struct {
	err  error
	sent []esp.Message
}

func (s *sender) CreateBatch(context.Context) (string, error) { return "", nil }
func (s *sender) Send(_ context.Context, m esp.Message) (esp.SendResult, error) {
	s.sent = append(s.sent, m)
	return esp.SendResult{}, s.err
}

// The Delivery says what actually went out; a channel that is not configured
// is absent and no error, a failing one is the error and absent too.
func TestNotifySaysWhatWasDelivered(t *testing.T) {
	slackOK := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer slackOK.Close()
	slackDown := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer slackDown.Close()
	msg := incident.Notification{Emails: []string{"a@example.com", "b@example.com"}, Slack: true, Subject: "s", Text: "t"}

	tests := []struct {
		name      string
		n         notify.Notifier
		msg       incident.Notification
		emailed   []string
		slack     bool
		errSubstr string
	}{
		{name: "both channels", n: notify.Notifier{Mail: &sender{}, SlackURL: slackOK.URL}, msg: msg,
			emailed: msg.Emails, slack: true},
		{name: "no channel configured", n: notify.Notifier{}, msg: msg},
		{name: "nobody to e-mail, no webhook", n: notify.Notifier{Mail: &sender{}}, msg: incident.Notification{Slack: true}},
		{name: "e-mail fails, Slack answers 500", n: notify.Notifier{Mail: &sender{err: errors.New("401 unauthorized")}, SlackURL: slackDown.URL},
			msg: msg, errSubstr: "email: 401 unauthorized\nslack: webhook answered 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.n.Notify(context.Background(), tt.msg)
			if !slices.Equal(d.Emailed, tt.emailed) || d.Slack != tt.slack {
				t.Errorf("delivered %+v, want e-mail to %v and Slack %v", d, tt.emailed, tt.slack)
			}
			if (err != nil) != (tt.errSubstr != "") || (err != nil && !strings.Contains(err.Error(), tt.errSubstr)) {
				t.Errorf("error %v, want %q", err, tt.errSubstr)
			}
		})
	}
}
