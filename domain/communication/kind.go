// Package communication is step 5 of the crisis response: one message about
// an incident to the people it affected — an apology, a correction or a breach
// notice — rendered inside the brand's template, checked by a preflight that
// knows what such a mail must say, and sent only to the affected, never to a
// suppressed address, never twice, and never for a stale-suppression-list
// mistake (DESIGN.md "Communicate (step 5)", invariants 2, 3, 4 and 7).
package communication

// Kind is what a communication is.
type Kind string

// The kinds (DESIGN.md).
const (
	// Apology says sorry for a mistake that reached the recipient.
	Apology Kind = "apology"
	// Correction is the "urgent correction — please disregard our previous
	// email" mail: apology first, what was wrong, the correct information.
	Correction Kind = "correction"
	// BreachNotice tells the people whose data was exposed; legal and
	// security approve it before it can be sent.
	BreachNotice Kind = "breach_notice"
)

// Kinds lists every kind, in the order the dashboard offers them.
func Kinds() []Kind { return []Kind{Apology, Correction, BreachNotice} }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return k == Apology || k == Correction || k == BreachNotice }

// Content is what a recipient reads: the subject and the two bodies (merge
// tags unresolved), and the reply-to address people will answer.
type Content struct {
	Subject string
	HTML    string
	Text    string
	ReplyTo string
}
