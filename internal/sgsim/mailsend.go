package sgsim

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"time"
)

// sendBody is the part of SendGrid's mail/send body the simulator reads.
type sendBody struct {
	Personalizations []persBody        `json:"personalizations"`
	From             *Address          `json:"from"`
	ReplyTo          *Address          `json:"reply_to"`
	ReplyToList      []Address         `json:"reply_to_list"`
	Subject          string            `json:"subject"`
	Content          []Content         `json:"content"`
	TemplateID       string            `json:"template_id"`
	Headers          map[string]string `json:"headers"`
	Categories       []string          `json:"categories"`
	CustomArgs       map[string]any    `json:"custom_args"`
	SendAt           *int64            `json:"send_at"`
	BatchID          string            `json:"batch_id"`
	ASM              *struct {
		GroupID         int   `json:"group_id"`
		GroupsToDisplay []int `json:"groups_to_display"`
	} `json:"asm"`
	MailSettings struct {
		BypassList        toggle `json:"bypass_list_management"`
		BypassSpam        toggle `json:"bypass_spam_management"`
		BypassBounce      toggle `json:"bypass_bounce_management"`
		BypassUnsubscribe toggle `json:"bypass_unsubscribe_management"`
		SandboxMode       toggle `json:"sandbox_mode"`
	} `json:"mail_settings"`
}

// toggle is a mail setting's {"enable": bool}; a non-boolean is a 400.
type toggle struct {
	Enable bool `json:"enable"`
}

type persBody struct {
	To            []Address         `json:"to"`
	Cc            []Address         `json:"cc"`
	Bcc           []Address         `json:"bcc"`
	From          *Address          `json:"from"`
	Subject       string            `json:"subject"`
	Headers       map[string]string `json:"headers"`
	Substitutions map[string]any    `json:"substitutions"`
	CustomArgs    map[string]any    `json:"custom_args"`
	SendAt        *int64            `json:"send_at"`
}

const (
	maxSendBytes  = 30 << 20
	maxArgsBytes  = 10000
	maxRecipients = 1000
)

// reservedHeaders may not be set through "headers" (SENDGRID.md §1.1).
var reservedHeaders = map[string]bool{"x-sg-id": true, "x-sg-eid": true, "received": true,
	"dkim-signature": true, "content-type": true, "content-transfer-encoding": true, "to": true,
	"from": true, "subject": true, "reply-to": true, "cc": true, "bcc": true}

// handleMailSend validates and records a mail/send: 202 with X-Message-Id,
// 200 in sandbox mode (nothing recorded), 400 with every problem found, 413
// past 30 MB. Nothing is recorded unless the whole request is valid.
func (s *Sim) handleMailSend(w http.ResponseWriter, r *http.Request) {
	var rd io.Reader = http.MaxBytesReader(w, r.Body, maxSendBytes)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(rd)
		if err != nil {
			writeErrors(w, http.StatusBadRequest, apiError{Message: "the gzip body could not be read"})
			return
		}
		rd = io.LimitReader(zr, maxSendBytes+1)
	}
	raw, err := io.ReadAll(rd)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(raw) > maxSendBytes {
		writeErrors(w, http.StatusRequestEntityTooLarge, apiError{Message: "The JSON payload you have included in your request is too large. Please limit your payload to 30MB."})
		return
	} else if err != nil {
		writeErrors(w, http.StatusBadRequest, apiError{Message: "could not read the request body"})
		return
	}
	s.waitBeforeSend() // HoldSends, SetSendLatency (faults.go)

	var b sendBody
	if err := json.Unmarshal(raw, &b); err != nil {
		writeErrors(w, http.StatusBadRequest, decodeError(err))
		return
	}
	s.mu.Lock()
	now := s.now()
	errs := validateSend(&b, now)
	if b.BatchID != "" && !s.cfg.AllowUnknownBatch && !s.batchValid(b.BatchID, now) {
		errs = append(errs, apiError{Field: "batch_id", Message: "The batch ID is not valid: create it with POST /v3/mail/batch (batch ids expire after 10 days)."})
	}
	if len(errs) > 0 {
		s.mu.Unlock()
		writeErrors(w, http.StatusBadRequest, errs...)
		return
	}
	if b.MailSettings.SandboxMode.Enable {
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		return
	}
	id := s.record(&b, now)
	s.mu.Unlock()
	if s.answerAccepted(w, id) { // AcceptThenAnswer (faults.go)
		return
	}
	w.Header().Set("X-Message-Id", id)
	w.WriteHeader(http.StatusAccepted)
}

func validateSend(b *sendBody, now time.Time) []apiError {
	var errs []apiError
	add := func(field, format string, args ...any) {
		errs = append(errs, apiError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch n := len(b.Personalizations); {
	case n == 0:
		add("personalizations", "The personalizations field is required and must have at least one personalization.")
	case n > 1000:
		add("personalizations", "The personalizations field must contain between 1 and 1000 personalizations; it has %d.", n)
		return errs
	}
	if b.From == nil || !validEmail(b.From.Email) {
		add("from.email", "The from email does not contain a valid address.")
	}
	if b.ReplyTo != nil && len(b.ReplyToList) > 0 {
		add("reply_to", "The reply_to and reply_to_list fields cannot be used together.")
	} else if b.ReplyTo != nil && !validEmail(b.ReplyTo.Email) {
		add("reply_to.email", "The reply_to email does not contain a valid address.")
	}
	if b.TemplateID == "" && b.Subject == "" {
		for i, p := range b.Personalizations {
			if p.Subject == "" {
				add("subject", "The subject is required (top level, or in every personalization; personalizations.%d has none).", i)
				break
			}
		}
	}
	errs = append(errs, validateContent(b.Content, b.TemplateID != "")...)
	if len(b.Categories) > 10 {
		add("categories", "Too many categories: at most 10 are allowed, got %d.", len(b.Categories))
	}
	seenCat := map[string]bool{}
	for i, c := range b.Categories {
		if len(c) > 255 {
			add(fmt.Sprintf("categories.%d", i), "A category may be at most 255 characters long.")
		}
		if seenCat[c] {
			add("categories", "Categories must be unique; %q appears twice.", c)
		}
		seenCat[c] = true
	}
	for h := range b.Headers {
		if reservedHeaders[strings.ToLower(h)] {
			add("headers", "The header %q is reserved and cannot be set.", h)
		}
	}
	errs = append(errs, checkSendAt("send_at", b.SendAt, now)...)
	if b.ASM != nil {
		if b.ASM.GroupID <= 0 {
			add("asm.group_id", "The asm.group_id is required when asm is given and must be a positive integer.")
		}
		if len(b.ASM.GroupsToDisplay) > 25 {
			add("asm.groups_to_display", "At most 25 groups may be displayed.")
		}
	}
	if b.BatchID != "" && !validBatchID(b.BatchID) {
		add("batch_id", "The batch_id may contain only letters, digits, - and _.")
	}
	top, err := stringMap(b.CustomArgs)
	if err != nil {
		add("custom_args", "custom_args values must be strings (%v).", err)
	} else if argsSize(top) > maxArgsBytes {
		add("custom_args", "The custom_args may total at most 10,000 bytes.")
	}
	total := 0
	for i, p := range b.Personalizations {
		path := fmt.Sprintf("personalizations.%d", i)
		if len(p.To) == 0 {
			add(path+".to", "The to array is required for all personalization objects, and must have at least one email object with a valid email address.")
		}
		seen := map[string]bool{}
		for _, list := range []struct {
			name  string
			addrs []Address
		}{{"to", p.To}, {"cc", p.Cc}, {"bcc", p.Bcc}} {
			for j, a := range list.addrs {
				total++
				f := fmt.Sprintf("%s.%s.%d", path, list.name, j)
				if !validEmail(a.Email) {
					add(f+".email", "Does not contain a valid address.")
				}
				if strings.ContainsAny(a.Name, ";,") {
					add(f+".name", "The name may not contain ; or ,.")
				}
				key := strings.ToLower(a.Email)
				if seen[key] {
					add(path+"."+list.name, "Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [%s] in the %s.%s field.", a.Email, path, list.name)
				}
				seen[key] = true
			}
		}
		if p.From != nil && !validEmail(p.From.Email) {
			add(path+".from.email", "The from email does not contain a valid address.")
		}
		errs = append(errs, checkSendAt(path+".send_at", p.SendAt, now)...)
		args, err := stringMap(p.CustomArgs)
		if err != nil {
			add(path+".custom_args", "custom_args values must be strings (%v).", err)
		} else if argsSize(merge(top, args)) > maxArgsBytes {
			add(path+".custom_args", "The custom_args (message and personalization merged) may total at most 10,000 bytes.")
		}
		subs, err := stringMap(p.Substitutions)
		if err != nil {
			add(path+".substitutions", "substitutions values must be strings (%v).", err)
		} else if argsSize(subs) > maxArgsBytes {
			add(path+".substitutions", "The substitutions may total at most 10,000 bytes.")
		}
	}
	if total > maxRecipients {
		add("personalizations", "The total number of recipients (to, cc and bcc) must be at most 1000; got %d.", total)
	}
	return errs
}

func validateContent(cs []Content, template bool) []apiError {
	var errs []apiError
	if len(cs) == 0 {
		if !template {
			errs = append(errs, apiError{Field: "content", Message: "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block."})
		}
		return errs
	}
	seen := map[string]int{}
	for i, c := range cs {
		if c.Type == "" {
			errs = append(errs, apiError{Field: fmt.Sprintf("content.%d.type", i), Message: "The content type must be a string at least one character in length."})
		}
		if c.Value == "" {
			errs = append(errs, apiError{Field: fmt.Sprintf("content.%d.value", i), Message: "The content value must be a string at least one character in length."})
		}
		t := strings.ToLower(c.Type)
		if _, dup := seen[t]; dup && t != "" {
			errs = append(errs, apiError{Field: "content", Message: fmt.Sprintf("Each content type may be given only once; %q appears twice.", c.Type)})
		}
		seen[t] = i
	}
	plain, hasPlain := seen["text/plain"]
	html, hasHTML := seen["text/html"]
	wantHTML := 0
	if hasPlain {
		wantHTML = 1
	}
	if (hasPlain && plain != 0) || (hasHTML && html != wantHTML) {
		errs = append(errs, apiError{Field: "content", Message: "If present, text/plain and text/html may only be provided in this order: text/plain, text/html, then any other content."})
	}
	return errs
}

func checkSendAt(field string, v *int64, now time.Time) []apiError {
	switch {
	case v == nil:
		return nil
	case *v < 0:
		return []apiError{{Field: field, Message: "The send_at parameter must be a Unix timestamp in seconds."}}
	case time.Unix(*v, 0).After(now.Add(scheduleWindow)):
		return []apiError{{Field: field, Message: "The send_at parameter may be at most 72 hours in the future."}}
	}
	return nil
}

// validEmail is a lenient address check: one @ with something on each side
// and no spaces or angle brackets.
func validEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return at > 0 && at < len(e)-1 && len(e) <= 320 && !strings.ContainsAny(e, " \t\r\n<>,;\"")
}

func validBatchID(id string) bool {
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return id != ""
}

// stringMap insists every value is a string, as SendGrid does for
// custom_args and substitutions.
func stringMap(m map[string]any) (map[string]string, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		sv, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%q is %T", k, v)
		}
		out[k] = sv
	}
	return out, nil
}

func argsSize(m map[string]string) int {
	if len(m) == 0 {
		return 0
	}
	b, _ := json.Marshal(m)
	return len(b)
}

// merge returns a copy of base overlaid with over (over wins).
func merge(base, over map[string]string) map[string]string {
	if base == nil && over == nil {
		return nil
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, over)
	return out
}
