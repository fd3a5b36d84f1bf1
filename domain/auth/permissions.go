package auth

import (
	"fmt"

	"github.com/firebreak/firebreak/domain/errs"
)

// Permission names one thing a caller may do. Handlers ask for exactly one.
type Permission string

// The permissions. Reading is one permission because DESIGN.md gives every role
// read access to everything; what differs between roles is what they may change.
const (
	Read Permission = "read" // campaigns, incidents, runbooks, segments, suppressions, timelines

	CampaignCreate     Permission = "campaign.create" // create and edit drafts
	CampaignSend       Permission = "campaign.send"
	CampaignPause      Permission = "campaign.pause"
	CampaignResume     Permission = "campaign.resume"
	CampaignCancel     Permission = "campaign.cancel"
	RecipientsImport   Permission = "recipients.import"
	IncidentDeclare    Permission = "incident.declare"
	IncidentAck        Permission = "incident.acknowledge"
	IncidentAssess     Permission = "incident.assess"       // compute and edit the assessment
	IncidentLegal      Permission = "incident.assess_legal" // the assessment's legal fields
	IncidentPlan       Permission = "incident.plan"         // tasks
	IncidentResolve    Permission = "incident.resolve"
	IncidentNote       Permission = "incident.note" // post a note on the timeline
	CommunicationDraft Permission = "communication.draft"
	NoticeApprove      Permission = "notice.approve"
	BrandManage        Permission = "brand.manage"
	UserManage         Permission = "user.manage"
	TokenManage        Permission = "token.manage"
	SuppressionManage  Permission = "suppression.manage"
	// BreachRegister reads the breach register (GDPR Art. 33(5)): legal, who
	// decides whether a breach is notifiable, and admins.
	BreachRegister Permission = "breach.register"
)

// table is the whole access policy: which roles hold each permission. Admin holds
// every permission (DESIGN.md: "everything"), so it is not listed per row.
var table = map[Permission][]Role{
	Read:               {Marketer, Legal, Security},
	CampaignCreate:     {Marketer},
	CampaignSend:       {Marketer},
	CampaignPause:      {Marketer, Security},
	CampaignResume:     {Marketer},
	CampaignCancel:     {Marketer},
	RecipientsImport:   {Marketer},
	IncidentDeclare:    {Marketer},
	IncidentAck:        {Marketer},
	IncidentAssess:     {Marketer, Security},
	IncidentLegal:      {Legal, Security},
	IncidentPlan:       {Marketer, Legal, Security},
	IncidentResolve:    {Marketer},
	IncidentNote:       {Marketer, Legal, Security},
	CommunicationDraft: {Marketer},
	NoticeApprove:      {Legal, Security},
	BrandManage:        {},
	UserManage:         {},
	TokenManage:        {},
	SuppressionManage:  {},
	BreachRegister:     {Legal},
}

// Permissions lists every permission in the table.
func Permissions() []Permission {
	out := make([]Permission, 0, len(table))
	for p := range table {
		out = append(out, p)
	}
	return out
}

// ErrForbidden is returned by Require when no role of the caller grants the permission.
var ErrForbidden = fmt.Errorf("auth: %w", errs.Forbidden)

// Can reports whether any of roles grants p. An unknown permission is never granted.
func Can(roles []Role, p Permission) bool {
	allowed, known := table[p]
	if !known {
		return false
	}
	for _, r := range roles {
		if r == Admin {
			return true
		}
		for _, a := range allowed {
			if r == a {
				return true
			}
		}
	}
	return false
}

// Require returns ErrForbidden (naming the permission) unless roles grant p.
func Require(roles []Role, p Permission) error {
	if Can(roles, p) {
		return nil
	}
	return fmt.Errorf("%w: needs permission %s", ErrForbidden, p)
}
