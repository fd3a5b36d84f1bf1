package sendgrid

import (
	"context"
	"fmt"
	"net/http"

	"github.com/sendgrid/rest"
	"github.com/sendgrid/sendgrid-go/helpers/mail"

	"github.com/firebreak/firebreak/domain/esp"
)

const opSend = "mail/send"

// Send makes exactly one POST /v3/mail/send and never retries: SendGrid has
// no idempotency key, so after a timeout or 5xx only the caller's ledger can
// decide whether to risk a duplicate (SENDGRID.md §1.4). It returns the
// X-Message-Id of a 202 (or a sandbox 200); an accepted request without that
// header is still a success, with an empty MessageID.
//
// A message with no personalization or more than esp.MaxPersonalizations is
// refused as Permanent without any request.
func (c *Client) Send(ctx context.Context, m esp.Message) (esp.SendResult, error) {
	if n := len(m.Personalizations); n < 1 || n > esp.MaxPersonalizations {
		return esp.SendResult{}, &esp.Error{Op: opSend, Kind: esp.Permanent,
			Messages: []string{fmt.Sprintf("personalizations: %d given, want 1..%d", n, esp.MaxPersonalizations)}}
	}
	body := mail.GetRequestBody(toMail(m))
	if body == nil { // GetRequestBody logs and swallows marshal errors
		return esp.SendResult{}, &esp.Error{Op: opSend, Kind: esp.Permanent,
			Messages: []string{"message could not be encoded as JSON"}}
	}
	resp, err := c.do(ctx, opSend, rest.Post, "/v3/mail/send", body)
	if err != nil {
		return esp.SendResult{}, err
	}
	return esp.SendResult{MessageID: http.Header(resp.Headers).Get("X-Message-Id")}, nil
}

// toMail converts a Message to sendgrid-go's mail body (SENDGRID.md §1.1,
// §1.6): categories only at message level (Personalization.Categories is not
// part of the API), text/plain before text/html, send_at in Unix seconds and
// asm only when set (the library omits zero values anyway).
func toMail(m esp.Message) *mail.SGMailV3 {
	v := mail.NewV3Mail()
	v.SetFrom(mail.NewEmail(m.From.Name, m.From.Email))
	v.Subject = m.Subject
	if m.ReplyTo.Email != "" {
		v.SetReplyTo(mail.NewEmail(m.ReplyTo.Name, m.ReplyTo.Email))
	}
	if m.Text != "" {
		v.AddContent(mail.NewContent("text/plain", m.Text))
	}
	if m.HTML != "" {
		v.AddContent(mail.NewContent("text/html", m.HTML))
	}
	if len(m.Categories) > 0 {
		v.AddCategories(m.Categories...)
	}
	for k, val := range m.Headers {
		v.SetHeader(k, val)
	}
	if m.ASMGroupID > 0 {
		v.SetASM(&mail.Asm{GroupID: m.ASMGroupID})
	}
	if !m.SendAt.IsZero() {
		v.SetSendAt(int(m.SendAt.Unix()))
	}
	if m.BatchID != "" {
		v.SetBatchID(m.BatchID)
	}
	for _, p := range m.Personalizations {
		v.AddPersonalizations(toPersonalization(p))
	}
	return v
}

// toPersonalization converts one recipient's envelope.
func toPersonalization(p esp.Personalization) *mail.Personalization {
	out := mail.NewPersonalization()
	out.AddTos(mail.NewEmail(p.To.Name, p.To.Email))
	for k, v := range p.Substitutions {
		out.SetSubstitution(k, v)
	}
	for k, v := range p.CustomArgs {
		out.SetCustomArg(k, v)
	}
	for k, v := range p.Headers {
		out.SetHeader(k, v)
	}
	return out
}
