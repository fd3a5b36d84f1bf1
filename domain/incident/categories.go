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
