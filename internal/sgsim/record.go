package sgsim

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// record stores every personalization of a validated request as a Message,
// emits "processed" for each recipient, and returns the X-Message-Id.
// The caller holds s.mu.
func (s *Sim) record(b *sendBody, now time.Time) string {
	id := randomID(16)
	server := fmt.Sprintf("recvd-sgsim-%s-1-%X", strings.ToLower(randomID(4)), now.Unix())
	top, _ := stringMap(b.CustomArgs)
	var replyTo Address
	if b.ReplyTo != nil {
		replyTo = *b.ReplyTo
	} else if len(b.ReplyToList) > 0 {
		replyTo = b.ReplyToList[0]
	}
	by := bypass{
		all:          b.MailSettings.BypassList.Enable,
		bounces:      b.MailSettings.BypassBounce.Enable,
		spam:         b.MailSettings.BypassSpam.Enable,
		unsubscribes: b.MailSettings.BypassUnsubscribe.Enable,
	}
	for i, p := range b.Personalizations {
		args, _ := stringMap(p.CustomArgs)
		subs, _ := stringMap(p.Substitutions)
		rep := replacer(subs)
		from := *b.From
		if p.From != nil {
			from = *p.From
		}
		subject := b.Subject
		if p.Subject != "" {
			subject = p.Subject
		}
		contents := make([]Content, len(b.Content))
		for j, c := range b.Content {
			contents[j] = Content{Type: c.Type, Value: rep.Replace(c.Value)}
		}
		m := &message{bypass: by}
		m.Message = Message{
			MessageID:     id,
			SGMessageID:   fmt.Sprintf("%s.%s-%d.0", id, server, i+1),
			To:            p.To[0].Email,
			ToName:        p.To[0].Name,
			Cc:            emails(p.Cc),
			Bcc:           emails(p.Bcc),
			BatchID:       b.BatchID,
			ReceivedAt:    now,
			From:          from,
			ReplyTo:       replyTo,
			Subject:       rep.Replace(subject),
			Contents:      contents,
			TemplateID:    b.TemplateID,
			CustomArgs:    merge(top, args),
			Substitutions: subs,
			Categories:    slices.Clone(b.Categories),
			Headers:       mergeHeaders(b.Headers, p.Headers),
			State:         StateScheduled,
		}
		sendAt := b.SendAt
		if p.SendAt != nil {
			sendAt = p.SendAt
		}
		m.due = now
		if sendAt != nil {
			m.SendAt = time.Unix(*sendAt, 0)
			m.due = m.SendAt
		}
		if b.ASM != nil {
			m.ASMGroupID = b.ASM.GroupID
			s.ensureGroup(b.ASM.GroupID)
		}
		m.recipients = append(append(emails(p.To), m.Cc...), m.Bcc...)
		if b.BatchID != "" && s.batches[b.BatchID] == nil {
			s.batches[b.BatchID] = &batch{id: b.BatchID, created: now} // AllowUnknownBatch
		}
		s.msgs = append(s.msgs, m)
		s.active = append(s.active, m)
		for _, rcpt := range m.recipients {
			s.fire(m, rcpt, "processed", now, nil, nil)
		}
	}
	return id
}

func emails(as []Address) []string {
	if len(as) == 0 {
		return nil
	}
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Email
	}
	return out
}

func mergeHeaders(top, pers map[string]string) map[string]string {
	if len(top) == 0 && len(pers) == 0 {
		return nil
	}
	out := maps.Clone(top)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, pers)
	return out
}

// replacer applies legacy substitutions: keys are literal strings such as
// "{{first_name}}"; longer keys win where two start at the same place.
func replacer(subs map[string]string) *strings.Replacer {
	keys := slices.Collect(maps.Keys(subs))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b))
	})
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		if k != "" {
			pairs = append(pairs, k, subs[k])
		}
	}
	return strings.NewReplacer(pairs...)
}

// batchValid reports whether id was created here less than 10 days ago.
// The caller holds s.mu.
func (s *Sim) batchValid(id string, now time.Time) bool {
	b := s.batches[id]
	return b != nil && now.Sub(b.created) < batchLifetime
}
