package incident

import (
	"fmt"
	"slices"
	"strings"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// The data categories an incident may have exposed (the assessment's
// data_categories_exposed). Categories, not a yes/no flag, decide who must be
// involved: an exposed email address and an exposed card number are
// different incidents.
const (
	CategoryEmailAddress    = "email_address"
	CategoryName            = "name"
	CategoryPostalAddress   = "postal_address"
	CategoryPurchaseHistory = "purchase_history"
	CategoryCredentials     = "credentials"
	CategoryPayment         = "payment"
	CategoryGovernmentID    = "government_id"
	CategoryHealth          = "health"
)

// DataCategories lists every category, least sensitive first.
var DataCategories = []string{CategoryEmailAddress, CategoryName, CategoryPostalAddress, CategoryPurchaseHistory,
	CategoryCredentials, CategoryPayment, CategoryGovernmentID, CategoryHealth}

// sensitive categories can hurt people directly (account takeover, fraud,
// identity theft, discrimination): security must be involved as well as legal.
var sensitive = []string{CategoryCredentials, CategoryPayment, CategoryGovernmentID, CategoryHealth}

// ValidateCategories returns a FieldError (kind Invalid) on
// data_categories_exposed naming the first unknown category. Names are exact
// (lower case, as in DataCategories).
func ValidateCategories(categories []string) error {
	for _, c := range categories {
		if !slices.Contains(DataCategories, c) {
			return (errs.Fields{"data_categories_exposed": fmt.Sprintf("unknown category %q (want one of %s)",
				c, strings.Join(DataCategories, ", "))}).Err()
		}
	}
	return nil
}

// PIIExposed reports whether any known category was exposed. Every category
// is personal data: it is about a recipient who is identified by the address
// the campaign went to.
func PIIExposed(categories []string) bool {
	return slices.ContainsFunc(categories, func(c string) bool { return slices.Contains(DataCategories, c) })
}

// LegalRequired reports whether legal must be involved: the runbook says so,
// or any personal data was exposed (legal decides whether a regulator or the
// people affected must be notified, and the clocks start at detection).
// Unknown categories are ignored; ValidateCategories refuses them first.
func LegalRequired(rb runbook.Runbook, categories []string) bool {
	return rb.Involve.Legal || PIIExposed(categories)
}

// SecurityRequired reports whether security must be involved: the runbook
// says so, or a sensitive category was exposed (credentials, payment,
// government_id, health).
func SecurityRequired(rb runbook.Runbook, categories []string) bool {
	return rb.Involve.Security ||
		slices.ContainsFunc(categories, func(c string) bool { return slices.Contains(sensitive, c) })
}

// FlagReasons says in words why each flag of an assessment is what it is
// (the Assessment answer's why): a newcomer reading "Personal data exposed:
// No" next to "Legal must be involved: Yes" sees that the runbook asks for
// legal, not the data.
type FlagReasons struct {
	PIIExposed       string
	LegalRequired    string
	SecurityRequired string
}

// WhyFlags explains PIIExposed, LegalRequired and SecurityRequired for rb and
// the exposed categories, from the same rules.
func WhyFlags(rb runbook.Runbook, categories []string) FlagReasons {
	name := rb.Title
	if name == "" {
		name = rb.ID
	}
	var exposed, sens []string
	for _, c := range DataCategories { // in DataCategories' order, each once
		if slices.Contains(categories, c) {
			exposed = append(exposed, categoryWords(c))
			if slices.Contains(sensitive, c) {
				sens = append(sens, categoryWords(c))
			}
		}
	}
	var r FlagReasons
	if len(exposed) > 0 {
		r.PIIExposed = fmt.Sprintf("Exposed: %s (every data category is personal data).", strings.Join(exposed, ", "))
	} else {
		r.PIIExposed = "No data category is marked exposed in the assessment."
	}
	switch {
	case rb.Involve.Legal && len(exposed) > 0:
		r.LegalRequired = fmt.Sprintf("The %s runbook always involves legal, and personal data was exposed.", name)
	case rb.Involve.Legal:
		r.LegalRequired = fmt.Sprintf("The %s runbook always involves legal, even with no personal data exposed.", name)
	case len(exposed) > 0:
		r.LegalRequired = "Personal data was exposed: legal decides whether regulators or the people affected must be notified."
	default:
		r.LegalRequired = fmt.Sprintf("The %s runbook does not involve legal and no personal data is marked exposed.", name)
	}
	switch {
	case rb.Involve.Security && len(sens) > 0:
		r.SecurityRequired = fmt.Sprintf("The %s runbook always involves security, and sensitive data was exposed (%s).", name, strings.Join(sens, ", "))
	case rb.Involve.Security:
		r.SecurityRequired = fmt.Sprintf("The %s runbook always involves security.", name)
	case len(sens) > 0:
		r.SecurityRequired = fmt.Sprintf("Sensitive data was exposed (%s): security must be involved.", strings.Join(sens, ", "))
	default:
		r.SecurityRequired = fmt.Sprintf("The %s runbook does not involve security and no credentials, payment, government ID or health data is marked exposed.", name)
	}
	return r
}

// categoryWords is a category as people read it ("government_id" →
// "government ID").
func categoryWords(c string) string {
	if c == CategoryGovernmentID {
		return "government ID"
	}
	return strings.ReplaceAll(c, "_", " ")
}
