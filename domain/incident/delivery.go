package incident

import (
	"fmt"
	"strings"
)

// NoChannel is the timeline's words for an escalation nobody could be told
// about: no address to e-mail (or no e-mail sender) and no Slack webhook.
const NoChannel = "no e-mail or Slack channel configured"

// DeliveryData is the timeline data of one notification attempt: "emailed"
// (the addresses, when the e-mail went out), "slack" (true when posted),
// "notify_error" (why a channel failed), and "delivery", one sentence saying
// who was told, or NoChannel when nothing was sent and nothing failed.
func DeliveryData(d Delivery, err error) map[string]any {
	data := map[string]any{}
	var told []string
	if len(d.Emailed) > 0 {
		data["emailed"] = d.Emailed
		told = append(told, "by e-mail to "+strings.Join(d.Emailed, ", "))
	}
	if d.Slack {
		data["slack"] = true
		told = append(told, "to the Slack channel")
	}
	switch {
	case err != nil:
		msg := strings.ReplaceAll(err.Error(), "\n", "; ")
		data["notify_error"] = msg
		if len(told) > 0 {
			data["delivery"] = fmt.Sprintf("sent %s; failed: %s", strings.Join(told, " and "), msg)
		} else {
			data["delivery"] = "failed: " + msg
		}
	case len(told) == 0:
		data["delivery"] = NoChannel
		data["no_channel"] = true
	default:
		data["delivery"] = "sent " + strings.Join(told, " and ")
	}
	return data
}
