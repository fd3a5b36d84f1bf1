package incident_test

import (
	"errors"
	"testing"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

func TestCategoriesDecideInvolvement(t *testing.T) {
	none := runbook.Runbook{ID: runbook.WrongSegment}
	breach := runbook.Runbook{ID: runbook.DataBreach, Involve: runbook.Involve{Legal: true, Security: true}}
	legalOnly := runbook.Runbook{ID: runbook.WrongContent, Involve: runbook.Involve{Legal: true}}
	tests := []struct {
		name       string
		rb         runbook.Runbook
		categories []string
		pii        bool
		legal      bool
		security   bool
	}{
		{name: "nothing exposed", rb: none},
		{name: "email address", rb: none, categories: []string{"email_address"}, pii: true, legal: true},
		{name: "name", rb: none, categories: []string{"name"}, pii: true, legal: true},
		{name: "postal address", rb: none, categories: []string{"postal_address"}, pii: true, legal: true},
		{name: "purchase history", rb: none, categories: []string{"purchase_history"}, pii: true, legal: true},
		{name: "credentials", rb: none, categories: []string{"credentials"}, pii: true, legal: true, security: true},
		{name: "payment", rb: none, categories: []string{"payment"}, pii: true, legal: true, security: true},
		{name: "government id", rb: none, categories: []string{"government_id"}, pii: true, legal: true, security: true},
		{name: "health", rb: none, categories: []string{"health"}, pii: true, legal: true, security: true},
		{name: "name and payment", rb: none, categories: []string{"name", "payment"}, pii: true, legal: true, security: true},
		{name: "breach runbook, nothing known yet", rb: breach, legal: true, security: true},
		{name: "legal runbook, name", rb: legalOnly, categories: []string{"name"}, pii: true, legal: true},
		{name: "legal runbook, health", rb: legalOnly, categories: []string{"health"}, pii: true, legal: true, security: true},
		{name: "unknown category ignored", rb: none, categories: []string{"shoe_size"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := incident.PIIExposed(tc.categories); got != tc.pii {
				t.Errorf("PIIExposed = %v", got)
			}
			if got := incident.LegalRequired(tc.rb, tc.categories); got != tc.legal {
				t.Errorf("LegalRequired = %v", got)
			}
			if got := incident.SecurityRequired(tc.rb, tc.categories); got != tc.security {
				t.Errorf("SecurityRequired = %v", got)
			}
		})
	}
}

func TestValidateCategories(t *testing.T) {
	if err := incident.ValidateCategories(incident.DataCategories); err != nil {
		t.Errorf("every listed category is valid: %v", err)
	}
	if err := incident.ValidateCategories(nil); err != nil {
		t.Errorf("none is valid: %v", err)
	}
	if len(incident.DataCategories) != 8 {
		t.Errorf("DataCategories = %v", incident.DataCategories)
	}
	for _, bad := range [][]string{{"ssn"}, {"name", "Email_Address"}, {""}} {
		err := incident.ValidateCategories(bad)
		var fe *errs.FieldError
		if !errors.As(err, &fe) || !errors.Is(err, errs.Invalid) || fe.Fields["data_categories_exposed"] == "" {
			t.Errorf("ValidateCategories(%q) = %v, want a FieldError on data_categories_exposed", bad, err)
		}
	}
}

// Each flag says why: the runbook, the exposed data, or neither.
func TestWhyFlags(t *testing.T) {
	legalRB := runbook.Runbook{ID: "wrong-segment", Title: "Wrong segment", Involve: runbook.Involve{Legal: true}}
	plain := runbook.Runbook{ID: "broken-links"}
	w := incident.WhyFlags(legalRB, nil)
	if w.PIIExposed != "No data category is marked exposed in the assessment." ||
		w.LegalRequired != "The Wrong segment runbook always involves legal, even with no personal data exposed." ||
		w.SecurityRequired != "The Wrong segment runbook does not involve security and no credentials, payment, government ID or health data is marked exposed." {
		t.Errorf("runbook-only legal: %+v", w)
	}
	w = incident.WhyFlags(plain, []string{incident.CategoryPayment, incident.CategoryEmailAddress})
	if w.PIIExposed != "Exposed: email address, payment (every data category is personal data)." ||
		w.LegalRequired != "Personal data was exposed: legal decides whether regulators or the people affected must be notified." ||
		w.SecurityRequired != "Sensitive data was exposed (payment): security must be involved." {
		t.Errorf("data-driven flags: %+v", w)
	}
	if w := incident.WhyFlags(plain, nil); w.LegalRequired != "The broken-links runbook does not involve legal and no personal data is marked exposed." {
		t.Errorf("nothing: %+v", w)
	}
}
