// Package notify delivers incident escalations: email through the ESP port
// (SendGrid), and a Slack-compatible incoming webhook when one is configured.
// It is an adapter at the edge of the domain, like the store.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/incident"
)

// Notifier implements incident.Notifier.
type Notifier struct {
	Mail     esp.Sender
	From     esp.Address
	SlackURL string // "" disables Slack
	HTTP     *http.Client
}

var _ incident.Notifier = (*Notifier)(nil)

// Notify sends the email (one personalization per address) and the Slack
// message; both are tried, and both failures are reported. The Delivery says
// what went out: no address or no sender means no e-mail, no webhook URL
// means no Slack message, and neither is an error.
func (n *Notifier) Notify(ctx context.Context, msg incident.Notification) (incident.Delivery, error) {
	var errs []error
	var d incident.Delivery
	if len(msg.Emails) > 0 && n.Mail != nil {
		category := msg.Category
		if category == "" {
			category = "escalation"
		}
		m := esp.Message{From: n.From, Subject: msg.Subject, Text: msg.Text, Categories: []string{"firebreak", category}}
		for _, to := range msg.Emails {
			m.Personalizations = append(m.Personalizations, esp.Personalization{To: esp.Address{Email: to}})
		}
		if len(m.Personalizations) > esp.MaxPersonalizations {
			m.Personalizations = m.Personalizations[:esp.MaxPersonalizations]
		}
		if _, err := n.Mail.Send(ctx, m); err != nil {
			errs = append(errs, fmt.Errorf("email: %w", err))
		} else {
			for _, p := range m.Personalizations {
				d.Emailed = append(d.Emailed, p.To.Email)
			}
		}
	}
	if msg.Slack && n.SlackURL != "" {
		if err := n.slack(ctx, msg.Subject+"\n"+msg.Text); err != nil {
			errs = append(errs, fmt.Errorf("slack: %w", err))
		} else {
			d.Slack = true
		}
	}
	return d, errors.Join(errs...)
}

func (n *Notifier) slack(ctx context.Context, text string) error {
	body, _ := json.Marshal(map[string]string{"text": text})
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.SlackURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	c := n.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
